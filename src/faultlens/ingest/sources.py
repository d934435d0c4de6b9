"""Reading inputs into named blobs: files, directories, tarballs, gzip, stdin.

Nothing is extracted to disk: tar members and gzip streams are read in memory. An input that
cannot be read becomes a Problem and the others go on.
"""

from __future__ import annotations

import io
import os
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

from msgspec import Struct

from faultlens.ingest.decode import BINARY_SAMPLE, line_break_end, utf16_bom, with_bom
from faultlens.model import Problem

STDIN = "<stdin>"
# Bound on what is held of one input: a larger decompressed stream keeps its start (a gzip bomb
# is stopped there), and it is reported.
MAX_BLOB_BYTES = 256 << 20
# A plain file larger than this is scanned in pieces (bigscan) and only its end is held, for
# context: memory does not grow with the file.
HELD_BYTES = 64 << 20
# A gzip'd log is decompressed as a stream (its end kept, the rest scanned in pieces) up to this
# many bytes: a bomb costs time up to here, never memory.
MAX_STREAM_BYTES = 16 << 30
STREAM_CHUNK = 16 << 20
GZIP_MAGIC = b"\x1f\x8b"


class Head(Struct, frozen=True):
    """The part of a big file before what is held in memory: scanned in pieces, never held whole."""

    path: str
    end: int  # bytes (of the decompressed stream, for a compressed file)
    size: int  # of the whole file (decompressed)
    compressed: bool = False  # gzip: read as a stream again, not by offsets
    bom: bytes = b""  # UTF-16 text: cut at code units, every piece read with this byte-order mark

    def note(self, source: str) -> Problem:
        what = "decompressed, " if self.compressed else ""
        return Problem(source, f"{self.size >> 20} MiB ({what}scanned in pieces); the last "
                               f"{(self.size - self.end) >> 20} MiB kept for context")


class Blob(Struct, frozen=True):
    source: str  # path as given, "<stdin>", or "archive.tgz:member"
    data: bytes
    head: Head | None = None  # data is the end of a big file; its lines are numbered after the head


class InputError(Exception):
    """Nothing usable could be read from the inputs."""


def read_inputs(inputs: list[str], stdin: io.BufferedReader | None = None) -> tuple[list[Blob], list[Problem]]:
    """Read every input (paths or '-') into blobs; unreadable ones become problems."""
    blobs: list[Blob] = []
    problems: list[Problem] = []
    for name in inputs:
        for item in _read_one(name, stdin):
            (problems if isinstance(item, Problem) else blobs).append(item)
    return blobs, problems


def _read_one(name: str, stdin) -> Iterator[Blob | Problem]:
    if name == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        yield from _expand(STDIN, _read_bounded(stream))
        return
    path = Path(name)
    if path.is_dir():
        yield from _walk(path, name)
        return
    yield from _read_file(path, name)


def _walk(root: Path, shown: str) -> Iterator[Blob | Problem]:
    """Every regular file below root, in sorted order; symlinked directories are not followed."""
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        dirnames.sort()
        for fname in sorted(filenames):
            full = Path(dirpath) / fname
            rel = full.relative_to(root).as_posix()
            label = f"{shown.rstrip('/')}/{rel}"
            if full.is_symlink() and not full.exists():
                yield Problem(label, "dangling symlink")
                continue
            if not full.is_file():
                continue
            yield from _read_file(full, label)
    for err in errors:
        yield Problem(str(err.filename or shown), f"cannot list directory: {err.strerror or err}")


def _read_file(path: Path, label: str) -> Iterator[Blob | Problem]:
    try:
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            start = fh.read(512)
            fh.seek(0)
            if start.startswith(GZIP_MAGIC) and path.is_file():
                yield from _read_gzip_file(fh, label)
                return
            if size > HELD_BYTES and path.is_file():
                if not _is_tar(start):
                    yield from _read_tail(fh, size, label, utf16_bom(start))
                    return
                if size > MAX_BLOB_BYTES:
                    yield Problem(label, f"archive larger than {MAX_BLOB_BYTES >> 20} MiB: not read")
                    return
            data = _read_bounded(fh)
    except FileNotFoundError:
        yield Problem(label, "no such file or directory")
        return
    except PermissionError:
        yield Problem(label, "permission denied (cannot read the input itself)")
        return
    except IsADirectoryError:
        yield Problem(label, "is a directory")
        return
    except OSError as exc:
        yield Problem(label, f"cannot read: {exc.strerror or exc}")
        return
    yield from _expand(label, data)


def _read_tail(fh, size: int, label: str, bom: bytes) -> Iterator[Blob | Problem]:
    """A big plain file: its last HELD_BYTES in memory, from a line start; the head before it is
    left to bigscan, so memory stays bounded."""
    skip = size - HELD_BYTES
    skip += skip % 2 if bom else 0  # at a UTF-16 code unit
    fh.seek(skip)
    data = fh.read(size - skip)
    cut = line_break_end(data, 0, bom)  # start at a whole line
    yield Blob(label, with_bom(data[cut:], bom), Head(str(fh.name), skip + cut, size, bom=bom))


def _read_gzip_file(fh, label: str) -> Iterator[Blob | Problem]:
    """A gzip'd file, decompressed as a stream. What fits in HELD_BYTES is read whole, a .tgz
    bundle up to MAX_BLOB_BYTES; a bigger log keeps its last HELD_BYTES, from a line start, and
    the part before is left to bigscan, which decompresses it again piece by piece. A stream that
    breaks off (a log still being written) keeps what came before the break."""
    import gzip

    chunks: list[bytes] = []
    held, total, bundle, broken, bom = 0, 0, False, None, b""
    with gzip.GzipFile(fileobj=fh) as gz:
        try:
            while total < (MAX_BLOB_BYTES if bundle else MAX_STREAM_BYTES):
                chunk = gz.read(STREAM_CHUNK)
                if not chunk:
                    break
                if not total:
                    bundle, bom = _is_tar(chunk), utf16_bom(chunk[:BINARY_SAMPLE])
                chunks.append(chunk)
                held, total = held + len(chunk), total + len(chunk)
                while not bundle and held - len(chunks[0]) >= HELD_BYTES:  # keep what the end needs
                    held -= len(chunks.pop(0))
        except (OSError, EOFError, zlib.error) as exc:
            broken = exc
    if broken is not None:
        yield Problem(label, f"corrupt gzip data after {total >> 20} MiB ({broken}): read what came before"
                      if total else f"corrupt gzip data: {broken}")
    if total <= HELD_BYTES or bundle:
        if total:
            data = b"".join(chunks)
            yield from _expand_plain(label, data[:MAX_BLOB_BYTES], len(data) > MAX_BLOB_BYTES)
        return
    if total >= MAX_STREAM_BYTES:
        yield Problem(label, f"decompressed size exceeds {MAX_STREAM_BYTES >> 30} GiB; read only the first part")
    data = b"".join(chunks)[-HELD_BYTES:]
    if bom and (total - len(data)) % 2:  # start at a UTF-16 code unit
        data = data[1:]
    cut = line_break_end(data, 0, bom)  # start at a whole line
    yield Blob(label, with_bom(data[cut:], bom), Head(str(fh.name), total - len(data) + cut, total, compressed=True, bom=bom))


def _read_bounded(fh) -> bytes:
    data = fh.read(MAX_BLOB_BYTES + 1)
    return data[:MAX_BLOB_BYTES]


def _expand(label: str, data: bytes) -> Iterator[Blob | Problem]:
    """Unwrap gzip and tar containers; anything else is a blob as it stands."""
    truncated = False
    if data.startswith(GZIP_MAGIC):
        try:
            data, truncated = _gunzip(data)
        except (OSError, EOFError, zlib.error) as exc:
            yield Problem(label, f"corrupt gzip data: {exc}")
            return
    yield from _expand_plain(label, data, truncated)


def _expand_plain(label: str, data: bytes, truncated: bool) -> Iterator[Blob | Problem]:
    if truncated:
        yield Problem(label, f"decompressed size exceeds {MAX_BLOB_BYTES >> 20} MiB; read only the first part")
    if _is_tar(data):
        yield from _tar_members(label, data)
        return
    yield Blob(label, data)


def _gunzip(data: bytes) -> tuple[bytes, bool]:
    import gzip  # here and in _tar_members: most runs read neither

    with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
        out = gz.read(MAX_BLOB_BYTES + 1)
    return out[:MAX_BLOB_BYTES], len(out) > MAX_BLOB_BYTES


def _is_tar(data: bytes) -> bool:
    return len(data) >= 512 and data[257:262] == b"ustar"


def _tar_members(label: str, data: bytes) -> Iterator[Blob | Problem]:
    import tarfile

    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                fh = tar.extractfile(member)
                if fh is None:
                    continue
                yield from _expand(f"{label}:{member.name}", fh.read())
    except (tarfile.TarError, OSError, EOFError) as exc:
        yield Problem(label, f"corrupt tar archive: {exc}")
