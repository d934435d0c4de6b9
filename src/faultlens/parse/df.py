"""`df` / `df -h` / `df -i` output.

    Filesystem     1K-blocks     Used Available Use% Mounted on
    /dev/sda1       98304000 98304000         0 100% /opt/ts
"""

from __future__ import annotations

from lark import Transformer

from faultlens.parse.lines import parsed_lines
from faultlens.parse.records import DiskUsage, SnapshotRecords


class _DfTree(Transformer):
    def header(self, items):
        return ("header", "IUse%" in str(items[0]))

    def amount(self, items):
        return str(items[0])

    def filesystem(self, items):
        fs, _size, _used, _avail, pct, mount = map(str, items)
        return ("row", (fs, mount.strip(), int(pct[:-1]) if pct.endswith("%") else None))


def parse_df(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    inodes = False
    for number, _line, (what, value) in parsed_lines(text, source, "df", _DfTree, out.problems):
        if what == "header":
            inodes = value
            continue
        fs, mount, pct = value
        out.disks.append(DiskUsage(fs, mount, pct, inodes, source, number))
    return out
