"""Bytes to text: any encoding decodes (invalid bytes replaced), terminal noise removed.

UTF-8 first; UTF-16 when a byte-order mark or every other byte being NUL says so, and the text
then decodes plausibly (a UTF-8 log may start with FF FE); a log that is not UTF-8 and holds no
UTF-8 sequence at all is a single-byte legacy one (Latin-1 / Windows-1252: CP1252 is Latin-1 plus
printable characters where Latin-1 has C1 controls). NUL bytes (a crash's preallocated runs)
are dropped. Line structure is kept exactly, so a line number here is the line number in the
original file.

A detector (charset-normalizer 3.4) was measured for the legacy case: 23 ms to import and 45 ms
on 100 KB of German/French CP1252 text, which it called cp1250 (so "naïve" became "naďve"); the
rule here costs one regex pass and gets Latin-1 and CP1252 right.
"""

from __future__ import annotations

import codecs
import re

_ANSI = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b\n]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_LONE_CR = re.compile(rb"\r(?!\n)")
_CRLF = re.compile(rb"\r\n")
# A whole UTF-8 multi-byte sequence (RFC 3629): their absence among high bytes means a legacy encoding.
_UTF8_SEQ = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH = re.compile(rb"[\x80-\xff]")
_NUL_RUNS = re.compile(rb"\x00+")
BINARY_SAMPLE = 8192
LEGACY_SAMPLE = 1 << 20
_TEXT_BYTES = bytes(range(0x20, 0x7f)) + b"\t\n\r\x1b\x0c\x08" + bytes(range(0x80, 0x100))


def _latin1_fallback(err: UnicodeDecodeError) -> tuple[str, int]:
    """The five bytes CP1252 leaves undefined read as Latin-1 does (C1 controls)."""
    return err.object[err.start:err.end].decode("latin-1"), err.end


codecs.register_error("faultlens-latin1", _latin1_fallback)


def to_utf8(data: bytes) -> bytes:
    """Normalized UTF-8 bytes: BOMs honoured, CRLF -> LF, ANSI sequences removed.

    A carriage return inside a line is kept visible as `^M` (how terminals and editors show it):
    it is evidence in itself (a script saved with Windows line ends).
    """
    if _plain(data):
        return data  # nothing to normalize (most logs): no copy
    text = _decode(data)
    raw = text.encode("utf-8", "replace")
    if b"\x00" in raw:
        raw = raw.replace(b"\x00", b"")
    if b"\x1b" in raw:
        raw = _ANSI.sub(b"", raw)
    if b"\r" in raw:
        raw = _LONE_CR.sub(b"^M", _CRLF.sub(b"\n", raw))
    return raw


ONE_PASS_FROM = 1 << 20  # bytes: from here Hyperscan checks in one pass what Python checks in four


def _plain(data: bytes) -> bool:
    """ASCII with nothing to normalize (no CR, ESC or NUL)?"""
    if len(data) >= ONE_PASS_FROM:
        from faultlens.prefilter import plain_ascii  # here: only a big text needs Hyperscan

        plain = plain_ascii(data)
        if plain is not None:
            return plain
    return data.isascii() and b"\r" not in data and b"\x1b" not in data and b"\x00" not in data


def to_text(data: bytes) -> str:
    return to_utf8(data).decode("utf-8", "replace")


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    else:
        bom = utf16_bom(data)
        if bom:
            return data.decode("utf-16" if data.startswith(bom) else _UTF16[bom], "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if is_legacy(data):
        return data.decode("cp1252", "faultlens-latin1")
    return data.decode("utf-8", "replace")


def is_legacy(data: bytes) -> bool:
    """Not UTF-8 (checked before) and no whole UTF-8 sequence among its high bytes: Latin-1 or
    CP1252. A UTF-8 log with a few broken bytes keeps its UTF-8."""
    sample = data[:LEGACY_SAMPLE]
    high = len(_HIGH.findall(sample))
    return bool(high) and sum(len(m) for m in _UTF8_SEQ.findall(sample)) < 0.1 * high


_UTF16 = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}


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


def _plausible_utf16(sample: bytes, codec: str) -> bool:
    """Text after a UTF-16 byte-order mark that decodes as UTF-16: no lone surrogate, and its
    line breaks (if any byte 0A is there) are whole code units. Bytes FF FE that merely start
    a UTF-8 or Latin-1 log fail this."""
    sample = sample[: len(sample) - len(sample) % 2]
    try:
        text = sample.decode(codec)
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # a surrogate pair cut by the sample's end is fine
            return False
        text = sample[:exc.start].decode(codec)
    return b"\n" not in sample or "\n" in text


def utf16_bom(start: bytes) -> bytes:
    """For UTF-16 text (with a plausible byte-order mark, or NULs that imply one), its byte-order
    mark; b"" for any other text. A big file's pieces are read with it: cut at code-unit
    boundaries, and decoded as the start of the file says, not as each piece looks."""
    for bom, codec in _UTF16.items():
        if start.startswith(bom) and _plausible_utf16(start[2:BINARY_SAMPLE], codec):
            return bom
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
    """Executables, images and the like: NUL bytes among bytes that are not text. A log with
    runs of NULs (a crash in a preallocated file) is text: the rest of it reads as text."""
    sample = data[:BINARY_SAMPLE]
    if b"\x00" not in sample or utf16_bom(data):
        return False
    rest = _NUL_RUNS.sub(b"", sample)
    if not rest:
        return False  # NULs only: an empty log, not a program
    texty = len(rest) - len(rest.translate(None, _TEXT_BYTES))
    runs = len(_NUL_RUNS.findall(sample))
    return texty < 0.95 * len(rest) or runs > max(8, len(rest) // 256)


def nul_count(data: bytes) -> int:
    """NUL bytes to_utf8 drops from a log (none in UTF-16 text, where they are half characters)."""
    return 0 if b"\x00" not in data or utf16_bom(data) else data.count(b"\x00")


def nul_notes(source: str, data: bytes) -> tuple:
    """A problem noting the NUL bytes dropped from a log, if any."""
    from faultlens.model import Problem

    n = nul_count(data)
    return (Problem(source, f"{n} NUL byte{'s' * (n != 1)} dropped (a crash leaves such runs in a log)"),) if n else ()
