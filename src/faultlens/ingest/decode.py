"""Bytes to text: any encoding decodes (invalid bytes replaced), terminal noise removed.

Line structure is kept exactly, so a line number here is the line number in the original file.
"""

from __future__ import annotations

import codecs
import re

_ANSI = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b\n]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_LONE_CR = re.compile(rb"\r(?!\n)")
_CRLF = re.compile(rb"\r\n")
BINARY_SAMPLE = 8192


def to_utf8(data: bytes) -> bytes:
    """Normalized UTF-8 bytes: BOMs honoured, CRLF -> LF, ANSI sequences removed.

    A carriage return inside a line is kept visible as `^M` (how terminals and editors show it):
    it is evidence in itself (a script saved with Windows line ends).
    """
    if data.isascii() and b"\r" not in data and b"\x1b" not in data and b"\x00" not in data:
        return data  # nothing to normalize (most logs): no copy
    text = _decode(data)
    raw = text.encode("utf-8", "replace")
    if b"\x1b" in raw:
        raw = _ANSI.sub(b"", raw)
    if b"\r" in raw:
        raw = _LONE_CR.sub(b"^M", _CRLF.sub(b"\n", raw))
    return raw


def to_text(data: bytes) -> str:
    return to_utf8(data).decode("utf-8", "replace")


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, "replace")
    return data.decode("utf-8", "replace")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text of mostly ASCII has a NUL in every other byte."""
    sample = data[:BINARY_SAMPLE]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.8 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.8 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def utf16_bom(start: bytes) -> bytes:
    """For UTF-16 text (with a byte-order mark, or NULs that imply one), its byte-order mark;
    b"" for any other text. A big file's pieces are read with it: cut at code-unit boundaries,
    and decoded as the start of the file says, not as each piece looks."""
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return start[:2]
    return {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(_utf16_without_bom(start), b"")


def line_break_end(data: bytes, start: int = 0, bom: bytes = b"", last: bool = False) -> int:
    """The offset just past the first line break at or after `start` (with last=True: the last
    one in `data`), or 0 if there is none. `data` starts at a code unit: for UTF-16 (`bom`), a
    line break is a whole code unit at an even offset, never half of another character."""
    brk = b"\n" if not bom else b"\n\x00" if bom == codecs.BOM_UTF16_LE else b"\x00\n"
    unit = len(brk)
    at = data.rfind(brk) if last else data.find(brk, start)
    while at >= 0 and at % unit:
        at = data.rfind(brk, 0, at + unit - 1) if last else data.find(brk, at + 1)
    return at + unit if at >= 0 else 0


def with_bom(data: bytes, bom: bytes) -> bytes:
    """A piece of UTF-16 text, marked so that it decodes as the file it was cut from."""
    return bom + data if bom and not data.startswith(bom) else data


def looks_binary(data: bytes) -> bool:
    """Executables, images and the like: NUL bytes that are not UTF-16 text."""
    sample = data[:BINARY_SAMPLE]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(data):
        return False
    return b"\x00" in sample
