"""`namei -l PATH`: the chain of directories leading to a path, with modes and owners.

    f: /opt/ts/releases/base-4.2.0/bin/executive
    drwxr-xr-x root   root   /
    drwx------ jdoe   jdoe   base-4.2.0
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
        mode, owner, group, name = map(str, items)
        return ("component", (mode, owner, group, name.strip()))

    def failure(self, items):
        return ("failure", str(items[0]).strip())


def parse_namei(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    current = ""
    for number, line, (what, value) in parsed_lines(text, source, "namei", _NameiTree, out.problems):
        if what == "header":
            current = "/" if value.startswith("/") else ""
            continue
        if what == "failure":
            continue
        mode, owner, group, name = value
        ftype, bits = parse_symbolic(mode)
        target = None
        if ftype == "symlink" and " -> " in name:
            name, target = name.split(" -> ", 1)
        if name == "/":
            path = "/"
        else:
            path = posixpath.join(current, name) if current else name
        current = path
        out.entries.append(FileEntry(posixpath.normpath(path), ftype, bits, owner, group, None, target,
                                     None, Location(source, number), line.strip()))
    return out
