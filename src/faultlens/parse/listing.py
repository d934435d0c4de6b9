"""File listings: `ls -l[aRn]`, `find -ls`, `bsdtar -tv`, `find -printf`, GNU `tar -tv`.

    /opt/ts/releases/base-4.2.0:
    total 8
    -rw------- 1 jdoe jdoe 1204 Nov 25 02:58 executive.cfg
    600 jdoe jdoe /opt/ts/releases/base-4.2.0/bin/executive
    -rw------- jdoe/jdoe 1204 2026-11-25 02:58 base-4.2.0/bin/executive
"""

from __future__ import annotations

import posixpath

from lark import Transformer
from msgspec.structs import replace

from faultlens.model import FileEntry, Location
from faultlens.parse.lines import parsed_lines
from faultlens.parse.modes import parse_symbolic
from faultlens.parse.records import SnapshotRecords


def _split_link(name: str, ftype: str) -> tuple[str, str | None]:
    if ftype == "symlink" and " -> " in name:
        path, target = name.split(" -> ", 1)
        return path, target
    if ftype == "hardlink" and " link to " in name:
        path, target = name.split(" link to ", 1)
        return path, target
    return name, None


def _size(text: str) -> int | None:
    return int(text) if text.isdigit() else None


class _LsTree(Transformer):
    def header(self, items):
        return ("header", str(items[0])[:-1])

    def total(self, items):
        return ("total", None)

    def size(self, items):
        return str(items[0])

    def date_short(self, items):
        return " ".join(map(str, items))

    date_short_dm = date_iso = date_short

    def inode(self, items):
        return None

    def entry(self, items):
        items = [i for i in items if i is not None]
        mode, _links, owner, group, size, date, name = items
        return ("entry", (str(mode), str(owner), str(group), _size(size), date, str(name)))


class _PrintfTree(Transformer):
    def symbolic(self, items):
        mode, owner, group, size, path = map(str, items)
        ftype, bits = parse_symbolic(mode)
        return ftype, bits, owner, group, int(size), path

    def octal(self, items):
        mode, owner, group, path = map(str, items)
        # %m carries no type: a trailing slash is the only hint a printf line can give
        return ("dir" if path.endswith("/") else "file"), int(mode, 8), owner, group, None, path


class _TarTree(Transformer):
    def size(self, items):
        return str(items[0])

    def start(self, items):
        mode, ownergroup, size, day, clock, name = map(str, items)
        owner, group = ownergroup.split("/", 1)
        return mode, owner, group, _size(size), f"{day} {clock}", name


def parse_ls(text: str, source: str) -> SnapshotRecords:
    """`ls -l` family and `find -ls`; `ls -lR` directory headers give names their directory."""
    out = SnapshotRecords(lines=text.count("\n") + 1)
    current: str | None = None
    for number, line, (what, value) in parsed_lines(text, source, "ls", _LsTree, out.problems):
        if what == "header":
            current = value
            continue
        if what != "entry":
            continue
        mode, owner, group, size, date, name = value
        ftype, bits = parse_symbolic(mode)
        name, target = _split_link(name, ftype)
        if name == "..":
            if current is None:
                continue
            path = posixpath.dirname(current.rstrip("/")) or "/"
        elif current is not None and not name.startswith("/"):
            path = current if name == "." else posixpath.join(current, name)
        else:
            path = name
        out.entries.append(FileEntry(_norm(path), ftype, bits, owner, group, size, target, date,
                                     Location(source, number), line))
    return out


def parse_find_printf(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    for number, line, (ftype, bits, owner, group, size, path) in parsed_lines(
            text, source, "find_printf", _PrintfTree, out.problems):
        path, target = _split_link(path, ftype)
        out.entries.append(FileEntry(_norm(path), ftype, bits, owner, group, size, target, None,
                                     Location(source, number), line))
    # '%m' prints no type: whatever has entries below it in the listing is a directory
    parents = {posixpath.dirname(e.path) for e in out.entries}
    out.entries = [replace(e, type="dir") if e.type == "file" and e.path in parents else e for e in out.entries]
    return out


def parse_tar_gnu(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    for number, line, (mode, owner, group, size, date, name) in parsed_lines(
            text, source, "tar_gnu", _TarTree, out.problems):
        ftype, bits = parse_symbolic(mode)
        name, target = _split_link(name, ftype)
        out.entries.append(FileEntry(_norm(name), ftype, bits, owner, group, size, target, date,
                                     Location(source, number), line))
    return out


def _norm(path: str) -> str:
    """'./a/b/' -> 'a/b'; absolute paths stay absolute."""
    if path in ("", "."):
        return "."
    cleaned = posixpath.normpath(path)
    return cleaned
