"""Hyperscan in front of RE2: which lines, and which patterns on them, may match.

RE2 still decides every hit. Hyperscan is compiled in prefilter mode from the same patterns
(`for_engine`), so it reports every place a pattern matches and maybe more; the matcher runs RE2
on those lines only. Its word counts on ASCII text only: there Hyperscan's byte semantics and
RE2's UTF-8 semantics agree (RE2's case folding of `k` to the Kelvin sign, of `s` to the long s,
needs non-ASCII text), so a line with non-ASCII text goes to RE2 whole. The result is the result
of the RE2 scan alone; tests hold them side by side.

A big text is not run through every whole pattern: most of a pattern is the strings it cannot
match without (`faultlens.kb.literals`), and a database of plain strings runs at GB/s where the
patterns' own database, with its classes, gaps and word edges, runs at a few hundred MB/s. Which
string of a pattern to look for depends on the log (`ACL[^\n]*denied` in a log full of
`denied=0`): the first 256 KiB is counted, and a pattern whose every choice is common there (a
generic `error` line) is looked for whole, in a database of the few such patterns (a `Plan`).
A piece where the strings turn out far commoner than the sample said is scanned the old way.
A small text uses the plan made for no sample: the strings each pattern holds that are longest.

Compiling the patterns' own database takes most of a second, the strings' a few hundredths, so
a first run on a fresh cache with a small log compiles only the latter; each database and each
plan's choices are kept in the user's cache folder, keyed by what they were made from (a new
knowledge base, or a new kind of big log, pays it once). Without Hyperscan (a platform with no
wheel) or with a pattern it cannot compile, RE2 scans alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache, cached_property
from pathlib import Path

from msgspec import Struct

from faultlens.cache import cache_file, load, memo, store
from faultlens.kb.literals import MIN_BYTES, Literals, alternatives, bare, expression

_FOLD_ONTO_ASCII = ("\u212a", "\u017f")
PREFILTER_FROM = 4 << 20  # bytes: from here Hyperscan finds lines, RE2's combined pattern the rest
SAMPLE = 256 << 10  # bytes of a text counted to choose the strings to look for
COMMON_PER_MIB = 8  # a string seen more often than this per MiB of the sample is common
MAX_STRING_HITS_PER_MIB = 64  # in a piece, beyond this the piece is scanned for the whole patterns
_DEAR = 1000.0


class Choice(Struct, frozen=True):
    """A plan's choices, as data (kept in the cache folder): the plain strings to look for and
    the patterns each stands for; the expressions looked for as they are (a pattern, or one of
    its alternatives, with no uncommon string) and the pattern each stands for; the strings
    whose bare form is common but not with their word edges, and the patterns they stand for."""

    strings: tuple[str, ...]
    owners: tuple[tuple[int, ...], ...]
    whole: tuple[str, ...]
    whole_owners: tuple[int, ...]
    edges: tuple[str, ...]
    edge_owners: tuple[tuple[int, ...], ...]


class Prefilter:
    """Hyperscan over one knowledge base's (engine-ready) patterns; each database built when
    first needed."""

    def __init__(self, regexes: tuple[str, ...]):
        self.regexes = regexes
        self._plans: dict[frozenset[str], Plan] = {}
        self._current: Plan | None = None

    @cached_property
    def db(self):
        """Every pattern whole (prefilter mode)."""
        return _database(_kept(self.regexes), lambda: (self.regexes, _pattern_flags()))

    @cached_property
    def _parts(self) -> list[list[tuple[str, Literals]]]:
        """Each pattern's top-level alternatives with their strings: `A|B` is looked for as the
        strings of A and those of B, or where one has none, that one alone as it is."""
        return [[(alt, Literals(alt)) for alt in alternatives(r)] for r in self.regexes]

    @cached_property
    def _offered(self) -> tuple[str, ...]:
        """Every string any pattern offers (kept in the cache folder: reading 180 patterns'
        syntax trees costs ~0.2 s, and every big log counts these strings)."""
        return memo("offered", [], lambda: tuple(sorted(set().union(*(lit.offered() for parts in self._parts for _, lit in parts)))),
                    (Literals,), decode_as=tuple[str, ...], extra=[r.encode() for r in self.regexes])

    @cached_property
    def _counter(self):
        """Every string any pattern offers: counted in a sample."""
        return _strings_database(self._offered)

    def matches(self, data, limit: int) -> list[tuple[int, int]] | None:
        """(pattern index, end offset) of every place a pattern may match (a string it cannot
        match without ends there); None past `limit`."""
        return self._plan(frozenset()).matches(data, limit)

    def spans(self, data) -> Iterator[tuple[int, int]]:
        """(start, end) byte ranges of whole lines, in order, holding every line any pattern
        matches (and maybe more), under the plan made last (the pieces of a big file share the
        one made from its start), else one made for this text's start."""
        if self._current is None:
            self.plan(data[:SAMPLE])
        return self._current.spans(data)

    def plan(self, sample) -> "Plan":
        """What to look for in a text like `sample` (and texts scanned after it): each pattern's
        cheapest strings, or the whole pattern where every choice is common in the sample."""
        self._current = self._plan(frozenset(self._common(sample)))
        return self._current

    def _plan(self, common: frozenset[str]) -> "Plan":
        known = self._plans.get(common)
        if known is None:
            choice = memo("plans", [], lambda: self._choose(common), (Choice, Literals),
                          extra=[*(r.encode() for r in self.regexes), b"\0", *(s.encode() for s in sorted(common))])
            known = self._plans[common] = Plan(self, choice)
        return known

    def _common(self, sample) -> Iterator[str]:
        """The strings seen more than COMMON_PER_MIB times per MiB of the sample."""
        if not sample or not self._offered:
            return iter(())
        seen = [0] * len(self._offered)
        limit = max(1, COMMON_PER_MIB * len(sample) >> 20)

        def on_match(index, _start, _end, _flags, _ctx):
            seen[index] += 1

        self._counter.scan(sample, match_event_handler=on_match)
        return (s for s, n in zip(self._offered, seen) if n > limit)

    def _choose(self, common: frozenset[str]) -> Choice:
        def cost(s: str) -> float:
            return (_DEAR if s in common else 0.0) + 1.0 / len(s)

        owners: dict[str, list[int]] = {}
        edges: dict[str, list[int]] = {}
        whole: list[tuple[str, int]] = []
        for index, parts in enumerate(self._parts):
            for text, lit in parts:
                chosen = lit.choose(cost)
                if chosen is None or not common.isdisjoint(chosen):
                    whole.append((text, index))
                    continue
                for s in chosen:  # Hyperscan finds plain strings much faster than word edges
                    plain = bare(s)
                    if plain in common or len(plain.encode()) < MIN_BYTES:
                        edges.setdefault(s, []).append(index)
                    else:
                        owners.setdefault(plain, []).append(index)
        strings, edged = tuple(sorted(owners)), tuple(sorted(edges))
        return Choice(strings, tuple(tuple(owners[s]) for s in strings),
                      tuple(t for t, _ in whole), tuple(i for _, i in whole),
                      edged, tuple(tuple(edges[s]) for s in edged))


class Plan:
    """Where to look in a text: one database of the plain strings (a line holding one may match)
    and of the expressions that are not (whole patterns or alternatives, strings with word
    edges): one pass, where two cost ~35 % more. A piece where they match far more often than
    the sample said is scanned in two: the strings, then the expressions line by line (or every
    pattern, when the strings are everywhere too)."""

    def __init__(self, prefilter: Prefilter, choice: Choice):
        self.choice = choice
        self._prefilter = prefilter
        self._owners = choice.owners + tuple((i,) for i in choice.whole_owners) + choice.edge_owners
        self._first_expression = len(choice.strings)

    def _expressions(self, with_strings: bool) -> tuple[tuple[str, ...], list[int]]:
        """The strings (caseless) if asked, the whole expressions, then the strings with word
        edges; and their flags."""
        import hyperscan as hs

        c = self.choice
        strings = tuple(expression(s) for s in c.strings) if with_strings else ()
        return (strings + c.whole + tuple(expression(s) for s in c.edges),
                [hs.HS_FLAG_CASELESS] * len(strings) + [_pattern_flags()] * len(c.whole) + [hs.HS_FLAG_CASELESS] * len(c.edges))

    @cached_property
    def db(self):
        """The strings, then the expressions."""
        c = self.choice
        return _database(_kept((*c.strings, "\0", *c.whole, "\0", *c.edges), "plan"), lambda: self._expressions(True))

    @cached_property
    def strings(self):
        """The strings alone (a piece full of matches), or None if there are none."""
        return _strings_database(self.choice.strings) if self.choice.strings else None

    @cached_property
    def whole(self):
        """The expressions alone (a piece full of matches), or None if there are none."""
        c = self.choice
        if not c.whole and not c.edges:
            return None
        return _database(_kept((*c.whole, "\0", *c.edges), "whole"), lambda: self._expressions(False))

    def matches(self, data, limit: int) -> list[tuple[int, int]] | None:
        """(pattern index, end offset) of every place a pattern may match; None past `limit`."""
        import hyperscan as hs

        if not self._owners:
            return []
        found: list[tuple[int, int]] = []
        owners = self._owners

        def on_match(index, _start, end, _flags, _ctx):
            found.extend((owner, end) for owner in owners[index])
            return len(found) >= limit

        try:
            self.db.scan(data, match_event_handler=on_match)
        except hs.ScanTerminated:
            return None
        return found

    def spans(self, data) -> Iterator[tuple[int, int]]:
        if not self.choice.strings:
            return _spans(self._prefilter.db, data)
        limit = MAX_STRING_HITS_PER_MIB * max(1, len(data) >> 20)
        ends = _ends(self.db, data, limit, self._first_expression)
        if ends is not None:
            return iter(_lines_at(data, ends))
        ends = _ends(self.strings, data, limit)  # the sample misled: this piece is full of them
        if ends is None:
            return _spans(self._prefilter.db, data)
        lines = _lines_at(data, ends)
        if self.whole is None:
            return iter(lines)
        return _union(lines, list(_spans(self.whole, data)))


def _ends(db, data, limit: int, first_expression: int | None = None) -> list[int] | None:
    """End offsets of the matches found (a string's: the line holding its last byte; from
    `first_expression` on, an expression's, which may end at a line's start or be empty there:
    the line holding that place too, as end + 1); None past `limit`."""
    import hyperscan as hs

    ends: list[int] = []
    size = len(data)

    def on_match(index, _start, end, _flags, _ctx):
        ends.append(end)
        if first_expression is not None and index >= first_expression and end < size:
            ends.append(end + 1)
        return len(ends) > limit

    try:
        db.scan(data, match_event_handler=on_match)
    except hs.ScanTerminated:
        return None
    return ends


def _lines_at(data, ends: list[int]) -> list[tuple[int, int]]:
    """The lines holding the byte before each of `ends` (the first line for 0), once each, in
    order."""
    lines: list[tuple[int, int]] = []
    size, last_end = len(data), -1
    for at in sorted(ends):
        at = max(at - 1, 0)
        if at <= last_end:
            continue  # on the line already taken
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        last_end = size if end < 0 else end
        lines.append((start, last_end))
    return lines


def _union(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Two lists of spans, in order, as one: overlapping or touching spans merged."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(a + b):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return iter(merged)


def _spans(db, data) -> Iterator[tuple[int, int]]:
    """(start, end) of the lines where the patterns of `db` may match, in order: one line, or
    two when a match ends at a line's start."""
    import hyperscan as hs

    view, size, pos = memoryview(data), len(data), 0
    ends: list[int] = []

    def on_match(_id, _start, end, _flags, _ctx):
        ends.append(end)
        return True  # stop: the scan resumes after this line

    while pos < size:
        ends.clear()
        try:
            db.scan(view[pos:], match_event_handler=on_match)
        except hs.ScanTerminated:
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
    text, None without a cache folder: compiling on every run would cost more than RE2 alone."""
    if any(c in r for r in regexes for c in _FOLD_ONTO_ASCII):
        return None
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return None
    if small and _kept(regexes) is None:
        return None
    return _prefilter(regexes)


@cache
def _prefilter(regexes: tuple[str, ...]) -> Prefilter | None:
    fast = Prefilter(regexes)
    try:
        fast.matches(b"", 1)  # compiles (or loads) what a small text needs; the rest when needed
    except Exception:  # noqa: BLE001 - any Hyperscan error: RE2 alone is always right
        return None
    return fast


def plain_ascii(data) -> bool | None:
    """Whether the text is ASCII with no byte `to_utf8` would change (CR, ESC, NUL), in one
    Hyperscan pass where Python's checks make four; None without Hyperscan."""
    db = _unplain()
    if db is None:
        return None
    import hyperscan as hs

    try:
        db.scan(data, match_event_handler=lambda *_: True)  # stops at the first
    except hs.ScanTerminated:
        return False
    return True


@cache
def _unplain():
    try:
        import hyperscan as hs
    except ImportError:
        return None
    db = hs.Database(mode=hs.HS_MODE_BLOCK)
    db.compile(expressions=[rb"[\x00\x1b\r\x80-\xff]"], ids=[0], flags=[hs.HS_FLAG_SINGLEMATCH])
    return db


def _kept(regexes: tuple[str, ...], kind: str = "patterns") -> Path | None:
    import hyperscan as hs

    return cache_file("hyperscan", kind, [hs.__version__.encode(), *(r.encode() for r in regexes)], ".hsdb")


def _strings_database(strings: tuple[str, ...]):
    """Plain strings (and word edges), ignoring case."""
    import hyperscan as hs

    return _database(_kept(strings, "strings"), lambda: (tuple(expression(s) for s in strings), hs.HS_FLAG_CASELESS))


def _pattern_flags() -> int:
    import hyperscan as hs

    return hs.HS_FLAG_MULTILINE | hs.HS_FLAG_PREFILTER | hs.HS_FLAG_ALLOWEMPTY


def _database(kept: Path | None, expressions: Callable[[], tuple[tuple[str, ...], int | list[int]]]):
    """The database kept in the cache folder, else compiled from `expressions()` (regexes and
    their flags; made only then: escaping a plan's ~1,800 strings costs more than loading its
    database) and kept."""
    import hyperscan as hs

    blob = load(kept)  # None unless a regular file of ours (never a FIFO or a symlink)
    if blob is not None:
        try:
            db = hs.loadb(blob, hs.HS_MODE_BLOCK)
            db.scratch = hs.Scratch(db)  # a loaded database comes without one
            return db
        except Exception:  # noqa: BLE001 - a stale or damaged cache is rebuilt
            pass
    regexes, flags = expressions()
    db = hs.Database(mode=hs.HS_MODE_BLOCK)
    db.compile(expressions=[r.encode() for r in regexes], ids=list(range(len(regexes))),
               flags=flags if isinstance(flags, list) else [flags] * len(regexes))
    if kept is not None:
        blob = hs.dumpb(db)
        store(kept, lambda fh: fh.write(blob))
    return db
