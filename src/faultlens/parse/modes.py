"""Symbolic and octal permission strings to mode bits and file types."""

from __future__ import annotations

from faultlens.model import FileType

TYPES: dict[str, FileType] = {
    "-": "file", "d": "dir", "l": "symlink", "h": "hardlink", "c": "char",
    "b": "block", "p": "fifo", "s": "socket", "D": "other", "?": "other",
}
STAT_TYPES: dict[str, FileType] = {
    "regular file": "file", "regular empty file": "file", "directory": "dir",
    "symbolic link": "symlink", "character special file": "char",
    "block special file": "block", "fifo": "fifo", "socket": "socket",
}


def parse_symbolic(text: str) -> tuple[FileType, int]:
    """'drwxr-sr-x' -> ('dir', 0o2755). Extra ACL/SELinux markers (.+@) are ignored."""
    kind = TYPES.get(text[0], "other")
    bits = 0
    for i, (r, w, x) in enumerate((text[1:4], text[4:7], text[7:10])):
        shift = 6 - 3 * i
        if r == "r":
            bits |= 4 << shift
        if w == "w":
            bits |= 2 << shift
        if x in "xst":
            bits |= 1 << shift
        if x in "sS" and i < 2:
            bits |= 0o4000 if i == 0 else 0o2000
        if x in "tT" and i == 2:
            bits |= 0o1000
    return kind, bits


def format_mode(mode: int) -> str:
    return f"{mode & 0o7777:04o}"
