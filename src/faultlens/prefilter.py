"""Hyperscan in front of RE2: which lines, and which patterns on them, may match.

RE2 still decides every hit. Hyperscan is compiled in prefilter mode from the same patterns
(`for_engine`), so it reports every place a pattern matches and maybe more; the matcher runs RE2
on those lines only. On a big text it finds lines at several hundred MB/s; on a small one it
spares compiling RE2's combined pattern. Its word counts on ASCII text only: there Hyperscan's
byte semantics and RE2's UTF-8 semantics agree (RE2's case folding of `k` to the Kelvin sign, of
`s` to the long s, needs non-ASCII text), so a line with non-ASCII text goes to RE2 whole. The
result is the result of the RE2 scan alone; tests hold them side by side.

Compiling the database takes most of a second, so it is kept in the user's cache folder, keyed by
the patterns and the Hyperscan version (a new knowledge base pays it on its first run). Without
Hyperscan (a platform with no wheel) or with a pattern it cannot compile, RE2 scans alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

from faultlens.cache import cache_file, load, store

_FOLD_ONTO_ASCII = ("\u212a", "\u017f")
PREFILTER_FROM = 4 << 20  # bytes: from here Hyperscan finds lines, RE2's combined pattern the rest


class Prefilter:
    def __init__(self, regexes: tuple[str, ...], kept: Path | None):
        import hyperscan

        self._hs = hyperscan
        self.db = _database(regexes, kept)

    def matches(self, data, limit: int) -> list[tuple[int, int]] | None:
        """(pattern index, end offset) of every place a pattern may match; None past `limit`."""
        found: list[tuple[int, int]] = []

        def on_match(index, _start, end, _flags, _ctx):
            found.append((index, end))
            return len(found) >= limit

        try:
            self.db.scan(data, match_event_handler=on_match)
        except self._hs.ScanTerminated:
            return None
        return found

    def spans(self, data) -> Iterator[tuple[int, int]]:
        """(start, end) byte ranges of whole lines, in order, holding every line any pattern
        matches. A span is one line, or two when a match ends at a line's start."""
        view, size, pos = memoryview(data), len(data), 0
        ends: list[int] = []

        def on_match(_id, _start, end, _flags, _ctx):
            ends.append(end)
            return True  # stop: the scan resumes after this line

        while pos < size:
            ends.clear()
            try:
                self.db.scan(view[pos:], match_event_handler=on_match)
            except self._hs.ScanTerminated:
                pass
            if not ends:
                return
            at = pos + ends[0]
            start = data.rfind(b"\n", pos, max(at - 1, pos)) + 1 or pos
            end = data.find(b"\n", min(at, size - 1))
            end = size if end < 0 else end
            yield start, end
            pos = end + 1


@cache
def prefilter(regexes: tuple[str, ...], small: bool = False) -> Prefilter | None:
    """The prefilter for these (engine-ready) patterns, or None where Hyperscan cannot serve.
    On ASCII lines a non-ASCII pattern character matches nothing in either engine, except the two
    that RE2 folds onto ASCII letters under (?i): the Kelvin sign and the long s. For a small
    text, only a database the cache folder keeps: compiling it on every run would cost more than
    RE2 alone does."""
    if any(c in r for r in regexes for c in _FOLD_ONTO_ASCII):
        return None
    try:
        import hyperscan as hs
    except ImportError:
        return None
    kept = cache_file("hyperscan", "patterns", [hs.__version__.encode(), *(r.encode() for r in regexes)], ".hsdb")
    if small and kept is None:
        return None
    return _prefilter(regexes, kept)


@cache
def _prefilter(regexes: tuple[str, ...], kept: Path | None) -> Prefilter | None:
    try:
        return Prefilter(regexes, kept)
    except Exception:  # noqa: BLE001 - any Hyperscan error: RE2 alone is always right
        return None


def _database(regexes: tuple[str, ...], kept: Path | None):
    import hyperscan as hs

    flags = hs.HS_FLAG_MULTILINE | hs.HS_FLAG_PREFILTER | hs.HS_FLAG_ALLOWEMPTY
    blob = load(kept)  # None unless a regular file of ours (never a FIFO or a symlink)
    if blob is not None:
        try:
            db = hs.loadb(blob, hs.HS_MODE_BLOCK)
            db.scratch = hs.Scratch(db)  # a loaded database comes without one
            return db
        except Exception:  # noqa: BLE001 - a stale or damaged cache is rebuilt
            pass
    db = hs.Database(mode=hs.HS_MODE_BLOCK)
    db.compile(expressions=[r.encode() for r in regexes], ids=list(range(len(regexes))),
               flags=[flags] * len(regexes))
    if kept is not None:
        blob = hs.dumpb(db)
        store(kept, lambda fh: fh.write(blob))
    return db
