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
        return ("device", items[3] if len(items) > 3 else None)

    def devtype(self, items):
        major, minor = str(items[0]).replace(" ", "").split(",")
        return int(major), int(minor)  # coreutils 9 prints decimal numbers (older ones hex)

    def context_line(self, items):
        return ("context", str(items[0]).strip())

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
                record.get("mtime"), Location(source, record["line"]), record["raw"],
                context=record.get("context"), device=record.get("device")))
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
        elif what == "context" and record:
            record["context"] = value
        elif what == "device" and record and value is not None:
            record["device"] = value
        elif what == "time" and record and value[0] == "Modify":
            record["mtime"] = value[1]
    flush()
    return out


class _BsdStatTree(Transformer):
    def start(self, items):
        values = [str(i) for i in items]
        mode, owner, group, size, mtime, name = values[2], values[4], values[5], values[7], values[9][1:-1], values[15]
        return mode, owner, group, int(size), mtime, name


def parse_bsd_stat(text: str, source: str) -> SnapshotRecords:
    """BSD/macOS `stat` default output: one line per file, dates quoted.

        16777220 8613792 -rw-r--r-- 1 jdoe staff 0 1204 "Nov 25 02:58:14 2026" ... 4096 8 0 x.cfg
    """
    from faultlens.parse.modes import parse_symbolic

    out = SnapshotRecords(lines=text.count("\n") + 1)
    for number, line, (mode, owner, group, size, mtime, name) in parsed_lines(
            text, source, "bsd_stat", _BsdStatTree, out.problems):
        ftype, bits = parse_symbolic(mode)
        target = None
        if ftype == "symlink" and " -> " in name:
            name, target = name.split(" -> ", 1)
        out.entries.append(FileEntry(posixpath.normpath(name), ftype, bits, owner, group, size, target, mtime,
                                     Location(source, number), line.strip(), acl=mode.endswith("+")))
    return out
