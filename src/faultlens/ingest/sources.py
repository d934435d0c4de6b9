"""Reading inputs into named blobs: files, directories, tarballs, gzip/xz/bzip2, stdin.

Nothing is extracted to disk: archives and compressed streams are read as streams, in memory.
Whatever is inside one input shares ONE budget (bytes held, bytes decompressed, members, nesting),
and all inputs of a run share a bound on bytes held: a bomb costs time up to a bound, never
memory. An input that cannot be read, or that exceeds a bound, gets a named problem and the
others go on.
"""

from __future__ import annotations

import io
import os
import stat
import sys
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from msgspec import Struct
from msgspec.structs import replace

from faultlens.ingest.decode import BINARY_SAMPLE, line_break_end, utf16_bom, with_bom
from faultlens.model import Problem

STDIN = "<stdin>"
# Bytes held in memory of one input (everything inside one path or '-'), and of a whole run.
MAX_BLOB_BYTES = 256 << 20
MAX_RUN_BYTES = 512 << 20
# A member or file larger than this is held only in part: its end (the head is scanned in pieces,
# by faultlens.match.pieces, where it can be read again), or its start (stdin, archives inside archives).
HELD_BYTES = 64 << 20
# Small members (a log beside a bomb) draw on a reserve of their own once the budget is spent.
SMALL_BYTES = 1 << 20
SMALL_RESERVE = 16 << 20
# Bytes decompressed per input: a bomb costs time up to here, never memory.
MAX_STREAM_BYTES = 16 << 30
MAX_MEMBERS = 200_000  # archive members and folder entries, per input
MAX_NESTING = 8  # containers inside containers: gzip in tar in gzip ...
MAX_DIR_DEPTH = 64  # folders below the given one
MAX_NAME = 1024  # characters of a member name shown
STREAM_CHUNK = 16 << 20
GZIP_MAGIC = b"\x1f\x8b"
_CODECS = {"gzip": "gzip", "xz": "xz", "bzip2": "bzip2"}


class HeadSink(Protocol):
    """Takes the head of a compressed big content as it streams past, in order (the reader keeps
    only the end): what lets a compressed log be decompressed once, not again to scan its head."""

    def feed(self, data: bytes) -> None: ...


class Head(Struct, frozen=True):
    """The part of a big file before what is held in memory: scanned in pieces, never held whole.
    Offsets are in the file's (decompressed) stream; `start` is where the content begins (a tar
    member's data), `end` where the held part begins."""

    path: str
    end: int
    size: int  # of the whole content (decompressed)
    codec: str = ""  # gzip | xz | bzip2: no offsets to read pieces at
    bom: bytes = b""  # UTF-16 text: cut at code units, every piece read with this byte-order mark
    start: int = 0
    scanned: HeadSink | None = None  # a compressed head, scanned as it streamed past the reader

    @property
    def compressed(self) -> bool:
        return bool(self.codec)

    def note(self, source: str) -> Problem:
        what = "decompressed, " if self.codec else ""
        return Problem(source, f"{_size(self.size)} ({what}scanned in pieces); the last "
                               f"{_size(self.size - (self.end - self.start))} kept for context")

    def snapshot_note(self, source: str) -> Problem:
        return Problem(source, f"listing of {_size(self.size)}: only its last {_size(self.size - (self.end - self.start))} "
                               f"parsed (an input may hold {_size(MAX_BLOB_BYTES)} in memory)")


class Blob(Struct, frozen=True):
    source: str  # path as given, "<stdin>", or "archive.tgz:member"
    data: bytes
    head: Head | None = None  # data is the end of a big file; its lines are numbered after the head


class InputError(Exception):
    """Nothing usable could be read from the inputs."""


class _Origin(Struct, frozen=True):
    """Where a stream can be read again: a file, through at most one codec, from an offset."""

    path: str
    codec: str = ""
    base: int = 0


class _Budget:
    """What reading costs: held bytes per input and per run, decompressed bytes and members per
    input. Spent as the input is read."""

    def __init__(self, head_sink: Callable[[bytes], HeadSink] | None = None) -> None:
        self.run_held = 0
        self.head_sink = head_sink  # (byte-order mark) -> a sink for a compressed head, or None
        self.start()

    def start(self) -> None:
        self.held = self.reserve = self.inflated = self.members = 0
        self.full_noted = False

    def room(self) -> int:
        return max(0, min(MAX_BLOB_BYTES - self.held, MAX_RUN_BYTES - self.run_held))

    def hold(self, n: int) -> None:
        self.held += n
        self.run_held += n

    def hold_small(self, n: int) -> bool:
        """A small member once the main budget is spent: from the reserve, if it has room."""
        if n <= self.room():
            self.hold(n)
            return True
        if self.reserve + n <= SMALL_RESERVE:
            self.reserve += n
            return True
        return False

    def spent(self) -> str:
        if MAX_RUN_BYTES - self.run_held < MAX_BLOB_BYTES - self.held:
            return f"not read: the run's budget of {_size(MAX_RUN_BYTES)} held in memory is spent"
        return f"not read: this input's budget of {_size(MAX_BLOB_BYTES)} held in memory is spent"


def read_inputs(inputs: list[str], stdin: io.BufferedReader | None = None,
                head_sink: Callable[[bytes], HeadSink] | None = None) -> tuple[list[Blob], list[Problem]]:
    """Read every input (paths or '-') into blobs; unreadable ones become problems. With a
    head_sink, the head of a compressed big content is fed to a sink as it streams past (and the
    sink kept in its Head), else it is decompressed again when scanned."""
    blobs: list[Blob] = []
    problems: list[Problem] = []
    budget = _Budget(head_sink)
    for name in inputs:
        budget.start()
        for item in _read_one(name, stdin, budget):
            (problems if isinstance(item, Problem) else blobs).append(item)
    return blobs, problems


def _read_one(name: str, stdin, budget: _Budget) -> Iterator[Blob | Problem]:
    if name == "-":
        if stdin is None:
            stdin = getattr(sys.stdin, "buffer", None) if sys.stdin is not None else None
        if stdin is None:
            yield Problem(STDIN, "standard input is closed: nothing to read")
            return
        try:
            yield from _read_stream(STDIN, stdin, budget, 0, None)
        except OSError as exc:
            yield Problem(STDIN, f"cannot read: {exc.strerror or exc}")
        return
    path = Path(name)
    if path.is_dir():
        yield from _walk(path, name, budget)
        return
    yield from _read_file(path, name, budget)


def _walk(root: Path, shown: str, budget: _Budget) -> Iterator[Blob | Problem]:
    """Every regular file below root in sorted order, a folder's files before its sub-folders
    (iterative: any depth costs no stack); symlinked directories are not followed."""
    stack: list[tuple[Path, int]] = [(root, 0)]
    prefix = shown.rstrip("/")
    while stack:
        folder, depth = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as err:
            yield Problem(str(err.filename or folder), f"cannot list directory: {err.strerror or err}")
            continue
        subdirs = []
        for entry in entries:
            budget.members += 1
            if budget.members > MAX_MEMBERS:
                yield Problem(shown, f"more than {MAX_MEMBERS} files and folders: the rest not read")
                return
            full = Path(entry.path)
            label = f"{prefix}/{full.relative_to(root).as_posix()}"
            try:
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(full)
                    continue
                if entry.is_symlink() and not full.exists():
                    yield Problem(label, "dangling symlink")
                    continue
                if not entry.is_file():  # FIFOs, sockets, devices, links to folders
                    continue
            except OSError as err:
                yield Problem(label, f"cannot read: {err.strerror or err}")
                continue
            yield from _read_file(full, label, budget)
        if subdirs and depth + 1 > MAX_DIR_DEPTH:
            yield Problem(f"{prefix}/{folder.relative_to(root).as_posix()}" if folder != root else shown,
                          f"folders nested deeper than {MAX_DIR_DEPTH} levels: not read below here")
            continue
        stack += [(d, depth + 1) for d in reversed(subdirs)]


def _read_file(path: Path, label: str, budget: _Budget) -> Iterator[Blob | Problem]:
    try:
        with path.open("rb") as fh:
            info = os.fstat(fh.fileno())
            regular = stat.S_ISREG(info.st_mode)
            start = fh.read(512)
            if regular and not _codec(start) and not _is_tar(start):
                yield from _read_plain(fh, label, info.st_size, start, budget)
                return
            if regular:
                fh.seek(0)
                stream = fh
            else:  # a pipe (`<(cmd)`): what was looked at is read again from memory
                stream = _Prefixed(start, fh)
            yield from _read_stream(label, stream, budget, 0, _Origin(str(path)) if regular else None)
    except FileNotFoundError:
        yield Problem(label, "no such file or directory")
    except PermissionError:
        yield Problem(label, "permission denied (cannot read the input itself)")
    except IsADirectoryError:
        yield Problem(label, "is a directory")
    except OSError as exc:
        yield Problem(label, f"cannot read: {exc.strerror or exc}")


def _read_plain(fh, label: str, size: int, start: bytes, budget: _Budget) -> Iterator[Blob | Problem]:
    """A plain file: read whole when it fits; else its end from a line start (the head is left to
    faultlens.match.pieces). A snapshot listing is read whole while the budget allows: its head is not scanned."""
    room = budget.room()
    cap = min(room, HELD_BYTES)
    if size > cap and room > cap and _snapshot_like(label, start + fh.read(BINARY_SAMPLE)):
        cap = room  # a listing is parsed, never scanned in pieces: as much as the budget allows
    if size <= cap or (room < size <= SMALL_BYTES and budget.hold_small(size)):
        if size <= cap:
            budget.hold(size)
        fh.seek(0)
        yield Blob(label, fh.read(size))
        return
    if cap <= 0:
        yield Problem(label, budget.spent())
        return
    bom = utf16_bom(start)
    skip = size - cap
    skip += skip % 2 if bom else 0  # at a UTF-16 code unit
    fh.seek(skip)
    cut = line_break_end(fh.read(min(FIRST_LINE_WINDOW, size - skip)), 0, bom)
    budget.hold(size - skip)
    if 0 < cut < size - skip:  # read from the first whole line on: no copy of the held end to cut it
        fh.seek(skip + cut)
        yield _held_end(label, fh.read(size - skip - cut), skip + cut, size, bom, _Origin(str(fh.name)))
        return
    fh.seek(skip)
    yield _tail_blob(label, fh.read(size - skip), skip, size, bom, _Origin(str(fh.name)))


FIRST_LINE_WINDOW = 1 << 16  # bytes of a big file's held end looked through for its first line break before reading it


def _tail_blob(label: str, data: bytes, skip: int, size: int, bom: bytes, origin: _Origin) -> Blob:
    """The held end of a big content, from its first whole line; when the end is one long line
    (its only break the last byte), from where the held part starts, mid-line."""
    cut = line_break_end(data, 0, bom)
    if cut >= len(data):
        cut = 0
    return _held_end(label, data[cut:], skip + cut, size, bom, origin)


def _held_end(label: str, data: bytes, start: int, size: int, bom: bytes, origin: _Origin) -> Blob:
    """The held end of a big content, `data` from `start` (past origin.base) to its end."""
    return Blob(label, with_bom(data, bom), Head(origin.path, origin.base + start, size, origin.codec, bom, origin.base))


def _read_stream(label: str, fh, budget: _Budget, depth: int, origin: _Origin | None) -> Iterator[Blob | Problem]:
    """Any content: peel compression, walk archives, hold what is left within the budget."""
    start = _read_some(fh, 512)
    stream = _Prefixed(start, fh)
    codec = _codec(start)
    if codec or _is_tar(start):
        if depth >= MAX_NESTING:
            yield Problem(label, f"archives nested deeper than {MAX_NESTING} levels: not opened")
            return
    if codec:
        inner = _Inflating(codec, stream, budget)
        plain_origin = _Origin(origin.path, codec) if origin is not None and not origin.codec and not origin.base else None
        for item in _read_stream(label, inner, budget, depth + 1, plain_origin):
            if inner.broken is not None and (isinstance(item, Blob) and not item.data or isinstance(item, Problem)
                                             and item.source == label and item.reason.startswith("corrupt tar")):
                continue  # a stream broken before its first byte gives no blob; a tar cut by it is no news
            yield item
        if inner.broken is not None:
            yield Problem(label, inner.broken)
        return
    if _is_tar(start):
        yield from _tar_members(label, stream, budget, depth, origin)
        return
    yield from _read_content(label, stream, budget, origin)


def _read_content(label: str, fh, budget: _Budget, origin: _Origin | None) -> Iterator[Blob | Problem]:
    """A content that is no container. Where it can be read again (origin), a big one keeps its
    end and its head is scanned in pieces; elsewhere its start is kept and the cut noted."""
    small = min(SMALL_BYTES, HELD_BYTES)
    first = _read_some(fh, small + 1)
    if len(first) <= small:
        if first and not budget.hold_small(len(first)):
            yield Problem(label, budget.spent())
            return
        yield Blob(label, first)
        return
    room = budget.room()
    cap = min(room, HELD_BYTES)
    if room > cap and _snapshot_like(label, first):
        cap = room  # a listing is parsed, not scanned: held whole while the budget allows
    if cap <= 0:
        yield Problem(label, budget.spent())
        return
    chunks: deque[bytes] = deque([first])
    held = total = len(first)
    bom = utf16_bom(first[:BINARY_SAMPLE])
    more = False
    sink = budget.head_sink(bom) if origin is not None and origin.codec and budget.head_sink else None
    while True:
        if origin is None and held >= cap:  # its start is kept: is there more?
            more = bool(fh.read(1))
            break
        chunk = fh.read(STREAM_CHUNK)
        if not chunk:
            break
        chunks.append(chunk)
        held, total = held + len(chunk), total + len(chunk)
        while origin is not None and held - len(chunks[0]) >= cap:  # keep what the end needs
            held -= len(gone := chunks.popleft())
            if sink is not None:
                sink.feed(gone)
    data = b"".join(chunks)
    if total <= cap and not more:
        budget.hold(len(data))
        yield Blob(label, data)
        return
    if origin is None:
        data = data[:cap]
        budget.hold(len(data))
        yield Blob(label, data)
        yield Problem(label, f"larger than {_size(cap)} (decompressed, or inside an archive or standard "
                             "input, where it cannot be read again): read only the first part")
        return
    joined, data = data, data[-cap:]
    skip = total - len(data)
    if bom and skip % 2:  # start at a UTF-16 code unit
        data, skip = data[1:], skip + 1
    budget.hold(len(data))
    blob = _tail_blob(label, data, skip, total, bom, origin)
    if sink is not None:  # the rest of the head: what was read but is not held
        sink.feed(joined[:blob.head.end - origin.base - (total - held)])
        blob = Blob(blob.source, blob.data, replace(blob.head, scanned=sink))
    del joined  # not held while the blob is used
    yield blob


def _tar_members(label: str, fh, budget: _Budget, depth: int, origin: _Origin | None) -> Iterator[Blob | Problem]:
    """A tar archive, read as a stream: each regular member in turn, never the archive whole."""
    import tarfile  # here: most runs read no archive

    try:
        with tarfile.open(fileobj=fh, mode="r|") as tar:
            while True:
                member = tar.next()
                if member is None:
                    break
                tar.members.clear()  # a stream's headers are not kept: 10^6 members cost no memory
                budget.members += 1
                if budget.members > MAX_MEMBERS:
                    yield Problem(label, f"more than {MAX_MEMBERS} archive members: the rest not read")
                    return
                if not member.isfile():
                    continue
                body = tar.extractfile(member)
                if body is None:
                    continue
                inner = _Origin(origin.path, origin.codec, origin.base + member.offset_data) if origin else None
                yield from _read_stream(f"{label}:{_field(member.name)}", body, budget, depth + 1, inner)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        yield Problem(label, f"corrupt tar archive: {exc}")


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were already read: they are given back first."""

    def __init__(self, first: bytes, rest) -> None:
        self._first, self._rest = first, rest

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self._first:
            if n is None or n < 0:
                out, self._first = self._first + self._rest.read(), b""
                return out
            out, self._first = self._first[:n], self._first[n:]
            return out
        return self._rest.read(n)

    def readinto(self, buf) -> int:
        data = self.read(len(buf))
        buf[:len(data)] = data
        return len(data)


class _Inflating(io.RawIOBase):
    """A decompressed stream that ends where the data breaks off (noted in `broken`) or where the
    input's decompression budget ends."""

    def __init__(self, codec: str, raw, budget: _Budget) -> None:
        self.codec, self.budget, self.broken, self.done = codec, budget, None, 0
        if codec == "gzip":
            import gzip

            self._stream = gzip.GzipFile(fileobj=raw)
        elif codec == "xz":
            import lzma

            self._stream = lzma.LZMAFile(raw)
        else:
            import bz2

            self._stream = bz2.BZ2File(raw)

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.broken is not None:
            return b""
        left = MAX_STREAM_BYTES - self.budget.inflated
        if left <= 0:
            self.broken = f"decompressed size exceeds {MAX_STREAM_BYTES >> 30} GiB; read only the first part"
            return b""
        n = min(STREAM_CHUNK if n is None or n < 0 else n, left)  # never "all of it": that is the bomb
        try:
            data = self._stream.read(n)
        except EOFError as exc:
            self.broken = (f"truncated {self.codec} data after {_size(self.done)} ({exc}): read what came before"
                           if self.done else f"corrupt {self.codec} data: {exc}")
            return b""
        except Exception as exc:  # noqa: BLE001 - zlib.error, lzma.LZMAError, OSError: corrupt data
            self.broken = (f"corrupt {self.codec} data after {_size(self.done)} ({exc}): read what came before"
                           if self.done else f"corrupt {self.codec} data: {exc}")
            return b""
        self.done += len(data)
        self.budget.inflated += len(data)
        return data

    def readinto(self, buf) -> int:
        data = self.read(len(buf))
        buf[:len(data)] = data
        return len(data)


def _field(name: str) -> str:
    """A member name as shown: a pax header can make it megabytes long."""
    return name if len(name) <= MAX_NAME else f"{name[:MAX_NAME]}... ({len(name)} characters)"


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n >> 10} KiB" if n >= 1 << 10 else f"{n} bytes"


def _read_some(fh, n: int) -> bytes:
    """Up to n bytes (fewer only at the end): pipes and decompressors return short reads."""
    parts, got = [], 0
    while got < n:
        part = fh.read(n - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _codec(start: bytes) -> str | None:
    if start.startswith(GZIP_MAGIC):
        return "gzip"
    if start.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if start.startswith(b"BZh") and start[3:4].isdigit() and start[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):
        return "bzip2"
    return None


def _is_tar(data: bytes) -> bool:
    return len(data) >= 512 and data[257:262] == b"ustar"


def _snapshot_like(label: str, start: bytes) -> bool:
    from faultlens.ingest.decode import to_text
    from faultlens.ingest.sniff import sniff

    return sniff(label, start, to_text(start)).kind == "snapshot"


def _expand(label: str, data: bytes) -> Iterator[Blob | Problem]:
    """Bytes already in memory (the fuzzer's files): unwrapped as a file's would be."""
    yield from _read_stream(label, io.BytesIO(data), _Budget(), 0, None)
