"""A log too big to hold: scanned in pieces, on every core, in bounded memory.

The file is cut into PIECE-sized byte ranges at line breaks; each worker process reads its
ranges, scans them with the same compiled matcher as a small log, and sends back the hits with
line numbers counted from the start of its range, plus the number of lines in it. The parent adds
the lines of the ranges before, so every hit carries its line number in the file, and merges the
hits in file order: the result is the one a single pass over the whole file would give (a test
holds the two side by side).

A line longer than LONG_CUT is cut where the range ends (its pieces are scanned apart); the RE2
scan is linear, so no input costs more than its size. A compressed log has no offsets to hand
out: its head is scanned piece by piece as the reader decompresses it on the way to the end it
keeps (a `StreamScan` fed through `read_inputs(head_sink=...)`), or, when it was read without
one, decompressed again here.
"""

from __future__ import annotations

import os

from faultlens.ingest.decode import line_break_end, with_bom
from faultlens.ingest.sources import Head
from faultlens.match import Hits, Matcher
from faultlens.parse.logs import LogText

PIECE = 16 << 20  # under glibc's largest mmap threshold (32 MiB): a freed piece's memory is reused, not faulted in anew
LONG_CUT = 1 << 20  # a range ends at the next line break within this many bytes, else right there

_MATCHER: Matcher | None = None  # the workers' matcher: inherited at fork, never pickled


def _boundary(fh, at: int, end: int, bom: bytes) -> int:
    """Where a range that should end near `at` ends: after the line that holds the character
    (UTF-16: the code unit) before `at`."""
    unit = 2 if bom else 1
    at -= at % unit
    if at <= 0 or at >= end:
        return max(0, min(at, end))
    fh.seek(at - unit)
    for done in range(0, LONG_CUT, 1 << 16):
        window = fh.read(min(1 << 16, end - (at - unit) - done))
        past = line_break_end(window, 0, bom)
        if past:
            return at - unit + done + past
        if not window:
            break
    return at


def _ranges(path: str, start: int, end: int, bom: bytes) -> list[tuple[int, int]]:
    """Pieces of [start, end) (a tar member's data starts past its header), cut at line breaks."""
    with open(path, "rb") as fh:
        cuts = [start] + [_boundary(fh, at, end, bom) for at in range(start + PIECE, end, PIECE)] + [end]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _sample(head: Head) -> bytes:
    """The start of a big file's head, to plan the scan of all its pieces by."""
    from faultlens.prefilter import SAMPLE

    with open(head.path, "rb") as fh:
        fh.seek(head.start)
        return fh.read(min(SAMPLE, head.end - head.start))


def _scan_range(path: str, start: int, stop: int, bom: bytes) -> tuple[int, Hits]:
    """(lines in the range, its hits numbered from 1 at the range's first line)."""
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(stop - start)
    assert _MATCHER is not None
    return _scanned(data, _MATCHER, bom)


class HeadScans:
    """Big files' heads scanned in worker processes while the caller scans what it holds.

        with HeadScans(matcher) as heads:
            result = heads.submit(head)     # starts at once
            ...                             # scan the held end meanwhile
            hits, lines = result()          # the head's hits (numbered in the file) and lines
    """

    def __init__(self, matcher: Matcher, workers: int | None = None):
        self.matcher = matcher
        self.workers = workers or os.cpu_count() or 1
        self._pool = None

    def submit(self, head: Head):
        """Start scanning the head; return a function that waits for (hits, line breaks)."""
        global _MATCHER
        import multiprocessing  # here: a run without a big file does not pay for the import
        from concurrent.futures import ProcessPoolExecutor

        if head.scanned is not None:  # scanned while it was read
            return head.scanned.result
        if head.codec:  # no offsets into a compressed stream: decompressed again, in order, here
            return lambda: _scan_stream(head, self.matcher)
        ranges = _ranges(head.path, head.start, head.end, head.bom)
        if self._pool is None and self.workers > 1 and len(ranges) > 1 \
                and "fork" in multiprocessing.get_all_start_methods():
            self.matcher.warm(_sample(head))  # built (or loaded) once, here: the workers inherit it at fork
            _MATCHER = self.matcher
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"))
        if self._pool is None:
            _MATCHER = self.matcher
            done = [_scan_range(head.path, a, b, head.bom) for a, b in ranges]
            return lambda: _merged(done)
        futures = [self._pool.submit(_scan_range, head.path, a, b, head.bom) for a, b in ranges]
        return lambda: _merged([f.result() for f in futures])

    def __enter__(self) -> "HeadScans":
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


def _scan_stream(head: Head, matcher: Matcher) -> tuple[Hits, int]:
    """The head of a compressed log (or of a member of a compressed tar): its decompressed bytes
    from head.start to head.end, in pieces cut at line breaks (a line longer than LONG_CUT is cut
    where a piece ends). A stream that breaks off early (it was truncated when read the first
    time too) gives what came before."""
    try:
        return _stream_pieces(_open(head), head.start, head.end, matcher, head.bom)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - EOFError, zlib.error, lzma.LZMAError: the file changed since
        raise OSError(f"{head.codec} stream: {exc}") from exc


def _open(head: Head):
    if head.codec == "xz":
        import lzma

        return lzma.open(head.path, "rb")
    if head.codec == "bzip2":
        import bz2

        return bz2.open(head.path, "rb")
    import gzip

    return gzip.open(head.path, "rb")


class StreamScan:
    """A head scanned as its bytes come, in order, in pieces cut at line breaks (a line longer
    than LONG_CUT is cut where a piece ends); `result()` gives its hits and line breaks."""

    def __init__(self, matcher: Matcher, bom: bytes = b""):
        self.matcher, self.bom = matcher, bom
        self._carry = b""
        self._done: list[tuple[int, Hits]] = []

    def feed(self, data: bytes) -> None:
        buf = self._carry + data
        cut = line_break_end(buf, bom=self.bom, last=True)
        if cut == 0 and len(buf) < LONG_CUT:
            self._carry = buf  # a partial line: wait for its end
            return
        cut = cut or len(buf) - len(buf) % (2 if self.bom else 1)
        self._carry = buf[cut:]
        self._done.append(_scanned(buf[:cut], self.matcher, self.bom))

    def result(self) -> tuple[Hits, int]:
        if self._carry:
            self._done.append(_scanned(self._carry, self.matcher, self.bom))
            self._carry = b""
        return _merged(self._done)


def _stream_pieces(opened, start: int, end: int, matcher: Matcher, bom: bytes) -> tuple[Hits, int]:
    scan, done = StreamScan(matcher, bom), 0
    with opened as stream:
        while done < start:  # up to a member's data: decompressed and dropped
            skipped = stream.read(min(PIECE, start - done))
            if not skipped:
                return scan.result()
            done += len(skipped)
        while done < end:
            data = stream.read(min(PIECE, end - done))
            if not data:
                break
            done += len(data)
            scan.feed(data)
    return scan.result()


def _scanned(piece: bytes, matcher: Matcher, bom: bytes = b"") -> tuple[int, Hits]:
    hits = Hits()
    return matcher.scan(LogText.from_bytes("", with_bom(piece, bom)), hits), hits


def _merged(results: list[tuple[int, Hits]]) -> tuple[Hits, int]:
    hits, lines = Hits(), 0
    for count, found in results:
        hits.merge(found, lines)
        lines += count
    return hits, lines
