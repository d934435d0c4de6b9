"""`df` / `df -h` / `df -i` / `df -P` output, GNU and macOS.

    Filesystem     1K-blocks     Used Available Use% Mounted on
    /dev/sda1       98304000 98304000         0 100% /opt/ts

Block amounts become bytes (from the header's block size, or the `-h` suffix, rounded as
printed); inode amounts stay counts. macOS prints both on one row: it gives two DiskUsage rows.
"""

from __future__ import annotations

from lark import Transformer

from faultlens.parse.lines import parsed_lines
from faultlens.parse.records import DiskUsage, SnapshotRecords

_POWERS = {c: 1024 ** (i + 1) for i, c in enumerate("KMGTPE")}


def _amount(text: str, unit: int) -> int | None:
    if text.isdigit():
        return int(text) * unit
    number = text.rstrip("iB").replace(",", ".")
    if number and number[-1].upper() in _POWERS:
        try:
            return int(float(number[:-1]) * _POWERS[number[-1].upper()])
        except ValueError:
            return None
    return int(number) if number.isdigit() else None


def _pct(text: str) -> int | None:
    return int(text[:-1]) if text.endswith("%") else None


class _DfTree(Transformer):
    def header(self, items):
        return ("header", str(items[0]))

    def amount(self, items):
        return str(items[0])

    def inodes(self, items):
        return ("inodes", tuple(map(str, items)))

    def filesystem(self, items):
        inode_cols = next((i[1] for i in items if isinstance(i, tuple)), None)
        rest = [i for i in items if not isinstance(i, tuple)]
        *names, total, used, avail, pct, mount = map(str, rest)
        return ("row", (" ".join(names), mount.strip(), (total, used, avail, pct), inode_cols))


def _unit(header: str) -> int:
    for text, unit in (("512-blocks", 512), ("1K-blocks", 1024), ("1024-blocks", 1024), ("1M-blocks", 1 << 20)):
        if text in header:
            return unit
    return 1  # -h sizes carry their own unit; inode counts are counts


def _join_wrapped(text: str) -> str:
    """GNU df puts a long filesystem name on a line of its own and the numbers on the next:
    join them (the second line is left blank, so line numbers stay those of the file)."""
    lines = text.split("\n")
    for i in range(len(lines) - 1):
        name = lines[i]
        if not name.strip() or len(name.split()) != 1 or name.split(":", 1)[0].endswith("df"):
            continue
        j = next((k for k in range(i + 1, min(i + 3, len(lines))) if lines[k].strip()), None)
        if j is not None and lines[j][:1].isspace() and lines[j].strip()[:1].isdigit():
            lines[i], lines[j] = f"{name.rstrip()} {lines[j].strip()}", ""
    return "\n".join(lines)


def parse_df(text: str, source: str) -> SnapshotRecords:
    out = SnapshotRecords(lines=text.count("\n") + 1)
    inodes, unit = False, 1024
    for number, _line, (what, value) in parsed_lines(
            _join_wrapped(text), source, "df", _DfTree, out.problems, skip=_df_message):
        if what == "header":
            inodes, unit = "IUse%" in value or "Inodes" in value, _unit(value)
            continue
        fs, mount, (total, used, avail, pct), inode_cols = value
        scale = 1 if inodes else unit
        out.disks.append(DiskUsage(fs, mount, _pct(pct), inodes, source, number, _amount(total, scale),
                                   _amount(used, scale), _amount(avail, scale)))
        if inode_cols is not None:  # macOS: iused ifree %iused
            iused, ifree, ipct = inode_cols
            used_n, free_n = _amount(iused, 1), _amount(ifree, 1)
            total_n = used_n + free_n if used_n is not None and free_n is not None else None
            out.disks.append(DiskUsage(fs, mount, _pct(ipct), True, source, number, total_n, used_n, free_n))
    return out


def _df_message(line: str) -> bool:
    """`df: '/x': No such file or directory` (also as `/bin/df: ...`): df's own complaints."""
    return line.split(":", 1)[0].endswith("df") and ": " in line
