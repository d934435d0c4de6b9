"""Log lines x knowledge-base patterns -> hits: for every line, the patterns RE2 finds in it.

Three ways to get there, one answer (tests hold them side by side):
- RE2 alone: one pass of one combined pattern over the log; only the lines it finds are cut out
  and tested against an RE2 set of all patterns. Used where Hyperscan cannot serve.
- a small log: Hyperscan (a database cached between runs) reports which patterns may match
  where; RE2 tests just those patterns on just those lines, and the set of all patterns on a
  line with non-ASCII text. No combined pattern is compiled and no DFA warmed up, which would
  cost a small log more than everything else it needs.
- a big ASCII log: Hyperscan skips to the lines any pattern may match, the combined pattern and
  the set take it from there (`faultlens.prefilter`).

A file too big to hold (`LogText.head`) is scanned by `Matcher.scan_file`, its head in pieces on
every core (`faultlens.match.pieces`).
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cached_property

from msgspec import Struct, field
from msgspec.structs import replace

from faultlens.kb.model import Pattern
from faultlens.kb.patterns import PatternError, compile_pattern, for_engine, pattern_set
from faultlens.parse.logs import LogText, line_time
from faultlens.prefilter import PREFILTER_FROM, prefilter

USE_PREFILTER = True  # False: RE2 alone (the simple path the fast ones are tested against)
MAX_CANDIDATES = 50_000  # places Hyperscan may report in a small log before RE2 alone takes over
MAX_NON_ASCII_LINES = 2_000  # lines of a small log RE2 tests against every pattern, before it scans alone
MAX_HITS_KEPT = 200  # per pattern per log: the first ones, plus a count of all
MAX_LINE_SHOWN = 2000
MAX_BLOCK_SHOWN = 8000
_NON_ASCII = re.compile(rb"[\x80-\xff]")
LONG_LINE = 1 << 16  # longer lines are tested pattern by pattern only near the match
WINDOW = 8192


class Hit(Struct, frozen=True):
    key: str  # pattern key
    source: str
    line: int  # in the original file
    text: str  # the matching line
    context: str | None = None  # the test case or unit the line belongs to
    block: str | None = None  # the whole stack trace, when the line is part of one

    @property
    def time(self) -> datetime | None:
        return line_time(self.text)


class Hits(Struct):
    """All hits of one explanation, by pattern key, with total counts."""

    by_key: dict[str, list[Hit]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    last: dict[tuple[str, str], Hit] = field(default_factory=dict)  # (key, source) -> its last hit there

    def add(self, hit: Hit) -> None:
        self.counts[hit.key] = self.counts.get(hit.key, 0) + 1
        kept = self.by_key.setdefault(hit.key, [])
        if len(kept) < MAX_HITS_KEPT:
            kept.append(hit)
        self.last[hit.key, hit.source] = hit

    def merge(self, other: "Hits", lines_before: int = 0, source: str | None = None) -> None:
        """Add the hits of a scan of a later part of the input, renumbered (and relabelled)."""
        for key, kept in other.by_key.items():
            for hit in kept:
                self.add(replace(hit, line=hit.line + lines_before, source=source or hit.source))
            self.counts[key] += other.counts[key] - len(kept)
        for (key, _), hit in other.last.items():
            self.last[key, source or hit.source] = replace(hit, line=hit.line + lines_before, source=source or hit.source)

    def get(self, key: str) -> list[Hit]:
        return self.by_key.get(key, [])

    def without(self, drop) -> tuple["Hits", int]:
        """A copy without the hits `drop` selects, and how many lines were dropped."""
        kept, dropped = Hits(), set()
        for hits in self.by_key.values():
            for hit in hits:
                if drop(hit):
                    dropped.add((hit.source, hit.line))
                else:
                    kept.add(hit)
        return kept, len(dropped)


class Matcher:
    """A set of patterns compiled once, each engine when first needed."""

    def __init__(self, patterns: list[Pattern], veto: str | None = None, strong: frozenset[str] = frozenset(),
                 never: str | None = None, verdicts: frozenset[str] = frozenset()):
        """veto: a line matching it says something went fine ("0 errors", "check passed"): only
        the `strong` patterns (keys) still count on it, unless one of the `verdicts` patterns says
        on the same line that something failed ("Failures: 1, Errors: 0"). never: a line matching
        it is no evidence at all (an echoed command: what it was asked to do is not what failed)."""
        self.patterns = patterns
        self._keys = [p.key for p in patterns]
        self._engine = tuple(f"(?:{for_engine(p.regex)})" for p in patterns)
        self._veto_regex = veto
        self._never_regex = never
        self._strong = frozenset(i for i, p in enumerate(patterns) if p.key in strong)
        self._verdicts = frozenset(i for i, p in enumerate(patterns) if p.key in verdicts)

    @cached_property
    def _any(self):
        return compile_pattern("(?m)" + "|".join(self._engine))

    @cached_property
    def _which(self):  # which patterns a line matches; None if RE2 cannot build the set in its memory
        try:
            return pattern_set(self._engine)
        except PatternError:  # ~20,000 patterns: each is asked in turn instead (L12)
            return None

    @cached_property
    def _veto(self):
        return compile_pattern(self._veto_regex) if self._veto_regex else None

    @cached_property
    def _never(self):
        return compile_pattern(self._never_regex) if self._never_regex else None

    def _judged(self, raw: bytes, found: list[int]) -> list[int]:
        """The patterns found on a line that count as evidence there."""
        if not found or (self._never is not None and self._never.search(raw)):
            return []
        if self._veto is not None and not self._verdicts.intersection(found) and self._veto.search(raw):
            return [i for i in found if i in self._strong]
        return found

    def prefilter(self, small: bool = False):
        """Hyperscan over the same patterns (built once, cached between runs), or None; for a
        small log, None unless the cache folder keeps the database."""
        return prefilter(self._engine, small) if self._engine and USE_PREFILTER else None

    def warm(self, sample: bytes = b"") -> None:
        """Build every engine a big log needs now, its Hyperscan plan made from `sample` (the
        log's start): worker processes forked later inherit them."""
        fast = self.prefilter()
        if fast is not None:
            _ = fast.db  # a piece whose strings are everywhere falls back to it
            if sample.isascii():
                fast.plan(sample)
        if self.patterns:
            _ = self._any, self._which, self._veto, self._never

    def scan_file(self, log: LogText) -> tuple[LogText, Hits]:
        """The hits of a whole log, numbered and labelled as in its file, and the log numbered so
        too: a big file's head (on disk, `log.head`) is scanned in pieces by worker processes
        (faultlens.match.pieces) while this one scans the end it holds."""
        if log.head is None:
            hits = Hits()
            return replace(log, breaks=self.scan(log, hits)), hits
        from faultlens.match.pieces import HeadScans  # here: only a big file needs worker processes

        end_hits = Hits()
        with HeadScans(self) as heads:
            head_result = heads.submit(log.head)
            breaks = self.scan(log, end_hits)
            try:
                head_hits, head_lines = head_result()
            except OSError:  # the file went away while being read: what was held is still
                head_hits, head_lines = Hits(), 0  # explained, its lines counted from its start
        hits = Hits()
        hits.merge(head_hits, 0, log.source)
        hits.merge(end_hits, head_lines)
        return replace(log, lines_before=head_lines, breaks=breaks), hits

    def scan(self, log: LogText, hits: Hits) -> int:
        """Add the hits of the text the log holds, numbered from its first line; return how many
        line breaks it holds (counted on the way)."""
        data = log.data
        if not self.patterns:
            return data.count(b"\n")
        if len(data) >= PREFILTER_FROM:
            fast = self.prefilter() if log.ascii or data.isascii() else None
            return self._scan(log, fast.spans(data) if fast is not None else ((0, len(data)),), hits)
        fast = self.prefilter(small=True)
        lines = self._candidates(data, fast) if fast is not None else None
        if lines is None:  # no Hyperscan here, too many places, a very long line, much non-ASCII text
            return self._scan(log, ((0, len(data)),), hits)
        return self._scan_lines(log, lines, hits)

    def _candidates(self, data: bytes, fast) -> list[tuple[int, int, set[int] | None]] | None:
        """(start, end, pattern indices) of every line where Hyperscan says a pattern may match,
        in order. A line with non-ASCII text is one for every pattern (None): Hyperscan reads
        bytes, RE2 reads characters (under (?i) RE2 matches `k` to the Kelvin sign). None if
        there are too many places, a line over LONG_LINE or too many non-ASCII lines."""
        ends = fast.matches(data, MAX_CANDIDATES)
        if ends is None:
            return None
        lines: dict[int, tuple[int, set[int] | None]] = {}
        span = (1, 0)  # the line last looked up: its start and its line break (or the end)

        def line_of(at: int) -> tuple[int, int]:
            nonlocal span
            if not span[0] <= at <= span[1]:
                stop = data.find(b"\n", at)
                span = (data.rfind(b"\n", 0, at) + 1, len(data) if stop < 0 else stop)
            return span

        for index, end in ends:
            # a match ending at `end` lies on the line holding end - 1, or is empty at the start
            # of the line holding `end`
            for at in {max(end - 1, 0), end}:
                start, stop = line_of(at)
                if start == len(data):  # the empty rest after a final newline is no line
                    continue
                if stop - start > LONG_LINE:
                    return None
                which = lines.setdefault(start, (stop, set()))[1]
                if which is not None:
                    which.add(index)
        if not data.isascii():
            pos, wide = 0, 0
            while (m := _NON_ASCII.search(data, pos)) is not None:
                start, stop = line_of(m.start())
                wide += 1
                if stop - start > LONG_LINE or wide > MAX_NON_ASCII_LINES:
                    return None
                lines[start] = (stop, None)
                pos = stop + 1
        return [(start, stop, which) for start, (stop, which) in sorted(lines.items())]

    def _scan_lines(self, log: LogText, lines: list[tuple[int, int, set[int] | None]], hits: Hits) -> int:
        """The candidate lines, each tested against its candidate patterns only."""
        data = log.data
        line_no, counted_to = 1, 0
        for start, end, which in lines:
            line_no += data.count(b"\n", counted_to, start)
            counted_to = start
            raw = data[start:end]
            self._add(log, raw, start, end, line_no, self._judged(raw, self._found(raw, which)), hits)
        return line_no - 1 + data.count(b"\n", counted_to)

    def _found(self, raw: bytes, which: set[int] | None = None) -> list[int]:
        """The indices of the patterns RE2 finds in raw, in order; of `which` only, if given."""
        if which is not None:
            return [i for i in sorted(which) if compile_pattern(self.patterns[i].regex).search(raw)]
        found = self._which.Match(raw) if self._which is not None else None
        if not found:  # none (most lines of a small log's non-ASCII text), or the set's DFA ran out of
            if self._which is not None and not self._any_on(raw):  # memory: the combined pattern says
                return []  # which, in one pass
            found = [i for i, p in enumerate(self.patterns) if compile_pattern(p.regex).search(raw)]
        return sorted(found)

    def _any_on(self, raw: bytes) -> bool:
        """Whether any pattern matches raw; True where RE2 cannot build the combined pattern."""
        try:
            return self._any.search(raw) is not None
        except PatternError:
            return True

    def _scan(self, log: LogText, spans, hits: Hits) -> int:
        data = log.data
        line_no, counted_to = 1, 0
        search = self._any.search
        for first, last in spans:
            pos = first
            while pos <= last:
                m = search(data, pos, last)
                if m is None:
                    break
                start, end = log.line_bounds(m.start())
                if start == len(data):  # the empty rest after a final newline is no line
                    break
                line_no += data.count(b"\n", counted_to, start)
                counted_to = start
                pos = end + 1
                self._line(log, m, start, end, line_no, hits)
        return line_no - 1 + data.count(b"\n", counted_to)

    def _line(self, log: LogText, m, start: int, end: int, line_no: int, hits: Hits) -> None:
        raw = log.data[start:end]
        if len(raw) > LONG_LINE:
            raw = log.data[max(start, m.start() - WINDOW):min(end, m.end() + WINDOW)]
        self._add(log, raw, start, end, line_no, self._judged(raw, self._found(raw)), hits)

    def _add(self, log: LogText, raw: bytes, start: int, end: int, line_no: int, found: list[int], hits: Hits) -> None:
        """The hits of one line (raw: the part tested), one per pattern found in it, in order."""
        if not found:
            return
        data = log.data
        text = raw[:MAX_LINE_SHOWN].decode("utf-8", "replace")
        first, last = log.block_around(start, end)
        block = data[first:last][:MAX_BLOCK_SHOWN].decode("utf-8", "replace") if (first, last) != (start, end) else None
        where = log.original_line(line_no)
        context = log.contexts.get(line_no)
        for i in found:
            hits.add(Hit(self._keys[i], log.source, where, text, context, block))
