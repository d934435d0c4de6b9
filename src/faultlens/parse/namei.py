"""`namei -l PATH`: the chain of directories leading to a path, with modes and owners.

    f: /opt/ts/releases/current/bin/executive
    drwxr-xr-x root   root   /
    drwx------ jdoe   jdoe   opt
    lrwxrwxrwx root   root   current -> /srv/base-4.2.0
    drwxr-xr-x root   root     /
    drwxr-xr-x root   root     srv
    drwx------ jdoe   jdoe     base-4.2.0
    -rw------- jdoe   jdoe   executive

A symlink namei follows is resolved on the lines after it, two columns further right; they name
the target's own path (here /srv/base-4.2.0), and the walk then carries on from that target.
With `-x`, a mount point shows as `D`.
"""

from __future__ import annotations

import posixpath

from lark import Transformer

from faultlens.model import FileEntry, Location
from faultlens.parse.lines import parsed_lines
from faultlens.parse.modes import parse_symbolic
from faultlens.parse.records import SnapshotRecords


class _NameiTree(Transformer):
    def header(self, items):
        return ("header", str(items[0]).strip())

    def component(self, items):
        mode, owner, group, name = items
        return ("component", (str(mode), str(owner), str(group), str(name).rstrip(), name.start_pos))

    def failure(self, items):
        return ("failure", str(items[0]).strip())


def parse_namei(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    block: list[tuple[int, str, tuple]] = []
    header = ""
    for number, line, (what, value) in parsed_lines(text, source, "namei", _NameiTree, out.problems):
        if what == "header":
            _walk(block, header, source, out)
            block, header = [], value
        elif what == "component":
            block.append((number, line, value))
    _walk(block, header, source, out)
    return out


def _walk(block: list[tuple[int, str, tuple]], header: str, source: str, out: SnapshotRecords) -> None:
    if not block:
        return
    # levels[k] = (name column, path reached so far) at nesting depth k
    levels: list[tuple[int, str]] = [(block[0][2][4], "/" if header.startswith("/") else "")]
    pending_link: tuple[str, str] | None = None
    for number, line, (mode, owner, group, name, column) in block:
        if pending_link is not None and column > levels[-1][0]:  # the lines resolving that symlink
            link_path, target = pending_link
            levels.append((column, "" if target.startswith("/") else posixpath.dirname(link_path)))
        elif column < levels[-1][0] and any(col == column for col, _ in levels):
            # back from resolving a link: the walk carries on from where the link led
            depth = next(k for k, (col, _) in enumerate(levels) if col == column)
            resolved = levels[-1][1]
            del levels[depth + 1:]
            levels[depth] = (column, resolved)
        depth = len(levels) - 1
        ftype, bits = parse_symbolic(mode)
        if mode.startswith("D"):  # namei -x: a mount point (a directory)
            ftype = "dir"
        target = None
        if ftype == "symlink" and " -> " in name:
            name, target = name.split(" -> ", 1)
        current = levels[depth][1]
        path = "/" if name == "/" else (posixpath.join(current, name) if current else name)
        levels[depth] = (levels[depth][0], path)
        pending_link = (path, target) if target is not None else None
        out.entries.append(FileEntry(posixpath.normpath(path), ftype, bits, owner, group, None, target,
                                     None, Location(source, number), line.strip()))
