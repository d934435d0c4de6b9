"""GNU `stat` default output: several lines per file, a record starts at "File:".

      File: /opt/ts/releases/base-4.2.0/bin/executive
      Size: 1204        Blocks: 8          IO Block: 4096   regular file
    Access: (0600/-rw-------)  Uid: ( 1000/    jdoe)   Gid: ( 1000/    jdoe)
"""

from __future__ import annotations

import posixpath

from lark import Transformer

from faultlens.model import FileEntry, Location
from faultlens.parse.lines import parsed_lines
from faultlens.parse.modes import STAT_TYPES, TYPES
from faultlens.parse.records import SnapshotRecords


class _StatTree(Transformer):
    def file_line(self, items):
        return ("file", str(items[0]).strip())

    def size_line(self, items):
        return ("size", (int(items[0]), str(items[3]).strip()))

    def device_line(self, items):
        return ("device", None)

    def perm_line(self, items):
        octal, symbolic, _uid, owner, _gid, group = map(str, items[:6])
        return ("perm", (int(octal, 8), symbolic, owner, group))

    def time_line(self, items):
        return ("time", (str(items[0]).rstrip(":"), str(items[1])))

    def start(self, items):
        return items[0]


def _unquote(name: str) -> str:
    for q1, q2 in (("‘", "’"), ("'", "'"), ('"', '"'), ("`", "'")):
        if name.startswith(q1) and name.endswith(q2) and len(name) >= 2:
            return name[1:-1]
    return name


def parse_stat(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    record: dict = {}

    def flush():
        if "path" in record and "mode" in record:
            out.entries.append(FileEntry(
                posixpath.normpath(record["path"]), record.get("type", "other"), record["mode"],
                record.get("owner"), record.get("group"), record.get("size"), record.get("target"),
                record.get("mtime"), Location(source, record["line"]), record["raw"]))
        record.clear()

    for number, line, (what, value) in parsed_lines(text, source, "stat", _StatTree, out.problems):
        if what == "file":
            flush()
            name, target = value, None
            if " -> " in value:
                name, target = value.split(" -> ", 1)
            record.update(path=_unquote(name), target=_unquote(target) if target else None,
                          line=number, raw=line.strip())
        elif what == "size" and record:
            record["size"], record["type"] = value[0], STAT_TYPES.get(value[1], "other")
        elif what == "perm" and record:
            mode, symbolic, owner, group = value
            record.update(mode=mode & 0o7777, owner=owner, group=group)
            record.setdefault("type", TYPES.get(symbolic[0], "other"))
            record["raw"] = f"{record['raw']} {line.strip()}"
        elif what == "time" and record and value[0] == "Modify":
            record["mtime"] = value[1]
    flush()
    return out
