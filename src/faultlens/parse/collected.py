"""The listing `faultlens collect` writes: GNU `find -ls` under LC_ALL=C, after one header line.

    # faultlens-listing 1: find -ls, LC_ALL=C; names escaped (\\ooo, \\n, \\t, \\\\, "\\ ")
      2146897      4 drwxr-xr-x   3 root     root         4096 Dec  1 05:43 ./rel/x\\ndrwx------
      2147057      0 lrwxrwxrwx   1 root     root            9 Dec  1 05:43 ./rel/l\\ ->\\ z -> tar\\ get

`find -ls` escapes every byte of a name outside 041-176 (C escapes for white space, backslash and
double quote, octal for the rest), so a record is exactly one line and a name cannot forge
another record, whatever it holds: a newline, a space, " -> ", a terminal escape. The header
line makes the format known by content (ingest/sniff.py) rather than by the file's name.
"""

from __future__ import annotations

import posixpath
import re

from msgspec import Struct

from faultlens.model import FileEntry, Location, Problem
from faultlens.parse.modes import parse_symbolic
from faultlens.parse.records import SnapshotRecords

HEADER = '# faultlens-listing 1: find -ls, LC_ALL=C; names escaped (\\ooo, \\n, \\t, \\\\, "\\ ")'
HEADER_PREFIX = "# faultlens-listing "
_C_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13}
_C_NAMES = {v: k for k, v in _C_ESCAPES.items()}
_OCTAL = frozenset("01234567")
# the name follows the date after exactly one space (find pads the year, never the name); linear
_DATE_AND_NAME = re.compile(r" *([A-Za-z]+ +[0-9]+ +[0-9:]+) ([^ ].*)\Z")


class Record(Struct, frozen=True):
    """One line of the listing: the name (and a symlink's target) as the exact bytes on disk."""

    mode: str
    owner: str
    group: str
    size: int | None  # None for devices (major, minor)
    date: str
    name: bytes
    target: bytes | None
    line: int


class ListingError(ValueError):
    pass


def escape(name: bytes) -> str:
    """A name as `find -ls` prints it under LC_ALL=C (the writer's half, for tests and fuzzing)."""
    out = []
    for byte in name:
        if byte in (0x5C, 0x22, 0x20):  # backslash, double quote, space
            out.append("\\" + chr(byte))
        elif byte in _C_NAMES:
            out.append("\\" + _C_NAMES[byte])
        elif 0x21 <= byte <= 0x7E:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03o}")
    return "".join(out)


def unescape(text: str) -> bytes:
    """The bytes `find -ls` escaped; a raw white space, control or non-ASCII character, or a
    dangling backslash, is not something find writes and makes the record invalid."""
    out = bytearray()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            if i + 1 >= n:
                raise ListingError("a name ends in a lone backslash")
            nxt = text[i + 1]
            digits = text[i + 1:i + 4]
            if len(digits) == 3 and set(digits) <= _OCTAL:
                value = int(digits, 8)
                if value > 0xFF:
                    raise ListingError(f"octal escape \\{digits} is not a byte")
                out.append(value)
                i += 4
                continue
            if nxt in _C_ESCAPES:
                out.append(_C_ESCAPES[nxt])
            elif "!" <= nxt <= "~" or nxt == " ":
                out.append(ord(nxt))
            else:
                raise ListingError("a backslash before a character find never escapes")
            i += 2
            continue
        if not "!" <= c <= "~":
            raise ListingError("a raw white space, control or non-ASCII character in a name")
        out.append(ord(c))
        i += 1
    return bytes(out)


def records(text: str) -> tuple[list[Record], list[tuple[int, str]]]:
    """The records of a listing and the (line, reason) of each line that is not one."""
    found: list[Record] = []
    bad: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip() or (number == 1 and line.startswith(HEADER_PREFIX)):
            continue
        try:
            found.append(_record(line, number))
        except ListingError as exc:
            bad.append((number, str(exc)))
    return found, bad


def _record(line: str, number: int) -> Record:
    # inode blocks mode links owner group size|major, minor month day time|year name[ -> target]
    head = line.split(None, 6)
    if len(head) < 7 or not (head[0].isdigit() and head[1].isdigit() and head[3].isdigit()):
        raise ListingError("not a find -ls line")
    mode, owner, group = head[2], head[4], head[5]
    if len(mode) < 10 or mode[0] not in "-dlcbps" or any(c not in "-rwxsStT" for c in mode[1:10]):
        raise ListingError(f"not a file mode: {mode[:12]!r}")
    rest = head[6]
    size_text, _, rest = rest.partition(" ")
    if size_text.endswith(","):  # a device: "major, minor"
        minor, _, rest = rest.lstrip(" ").partition(" ")
        if not (size_text[:-1].isdigit() and minor.isdigit()):
            raise ListingError("not a device number")
        size = None
    elif size_text.isdigit():
        size = int(size_text)
    else:
        raise ListingError("no size")
    m = _DATE_AND_NAME.match(rest)
    if not m:
        raise ListingError("no date and name")
    date, rest = m[1], m[2]
    name_text, target_text = rest, None
    if mode[0] == "l":
        name_text, sep, target_text = name_text.partition(" -> ")
        if not sep:
            raise ListingError("a symlink without its target")
    return Record(mode[:10], owner, group, size, " ".join(date.split()), unescape(name_text),
                  None if target_text is None else unescape(target_text), number)


def _text(name: bytes) -> str:
    return name.decode("utf-8", "replace")


def parse_collected(text: str, source: str) -> SnapshotRecords:
    lines = text.split("\n")
    out = SnapshotRecords(lines=len(lines))
    found, bad = records(text)
    for rec in found:
        ftype, bits = parse_symbolic(rec.mode)
        path = posixpath.normpath(_text(rec.name)) if rec.name not in (b"", b".") else "."
        target = None if rec.target is None else _text(rec.target)
        out.entries.append(FileEntry(path, ftype, bits, rec.owner, rec.group, rec.size, target, rec.date,
                                     Location(source, rec.line), lines[rec.line - 1]))
    for number, reason in bad[:20]:
        out.problems.append(Problem(source, f"line {number}: not a collect listing record ({reason}); skipped"))
    if len(bad) > 20:
        out.problems.append(Problem(source, f"{len(bad) - 20} more lines that are not listing records; skipped"))
    return out
