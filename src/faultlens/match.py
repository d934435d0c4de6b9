"""Log lines x knowledge-base patterns -> hits. One pass of one combined RE2 pattern per log.

Only lines the combined pattern finds are cut out and tested pattern by pattern, so the cost of a
large quiet log is the cost of the C scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from faultlens.kb.model import Pattern
from faultlens.kb.patterns import compile_pattern, for_engine, pattern_set
from faultlens.parse.logs import LogText, line_time
from faultlens.prefilter import PREFILTER_FROM, prefilter

MAX_HITS_KEPT = 200  # per pattern per log: the first ones, plus a count of all
MAX_LINE_SHOWN = 2000
MAX_BLOCK_SHOWN = 8000
LONG_LINE = 1 << 16  # longer lines are tested pattern by pattern only near the match
WINDOW = 8192


@dataclass(frozen=True)
class Hit:
    key: str  # pattern key
    source: str
    line: int  # in the original file
    text: str  # the matching line
    context: str | None = None  # the test case or unit the line belongs to
    block: str | None = None  # the whole stack trace, when the line is part of one

    @property
    def time(self) -> datetime | None:
        return line_time(self.text)


@dataclass
class Hits:
    """All hits of one explanation, by pattern key, with total counts."""

    by_key: dict[str, list[Hit]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, hit: Hit) -> None:
        self.counts[hit.key] = self.counts.get(hit.key, 0) + 1
        kept = self.by_key.setdefault(hit.key, [])
        if len(kept) < MAX_HITS_KEPT:
            kept.append(hit)

    def merge(self, other: "Hits", lines_before: int = 0, source: str | None = None) -> None:
        """Add the hits of a scan of a later part of the input, renumbered (and relabelled)."""
        for key, kept in other.by_key.items():
            for hit in kept:
                self.add(replace(hit, line=hit.line + lines_before, source=source or hit.source))
            self.counts[key] += other.counts[key] - len(kept)

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
    """A set of patterns compiled once: a combined scanner plus one regex each."""

    def __init__(self, patterns: list[Pattern], veto: str | None = None):
        """veto: lines matching it are no evidence at all ("0 errors", "check passed")."""
        self.patterns = patterns
        self._keys = [p.key for p in patterns]
        self._engine = tuple(f"(?:{for_engine(p.regex)})" for p in patterns)
        self._any = compile_pattern("(?m)" + "|".join(self._engine)) if patterns else None
        self._which = pattern_set(self._engine) if patterns else None  # which patterns a line matches
        self._veto = compile_pattern(veto) if veto else None

    def prefilter(self):
        """Hyperscan over the same patterns (built once, cached between runs), or None."""
        return prefilter(self._engine) if self._engine else None

    def _spans(self, data: bytes):
        if len(data) >= PREFILTER_FROM and data.isascii():
            fast = self.prefilter()
            if fast is not None:
                return fast.spans(data)
        return ((0, len(data)),)

    def scan(self, log: LogText, hits: Hits) -> int:
        """Add the log's hits; return how many line breaks it holds (counted on the way)."""
        data = log.data
        line_no, counted_to = 1, 0
        if self._any is not None:
            search = self._any.search
            for first, last in self._spans(data):
                pos = first
                while pos <= last:
                    m = search(data, pos, last)
                    if m is None:
                        break
                    start, end = log.line_bounds(m.start())
                    line_no += data.count(b"\n", counted_to, start)
                    counted_to = start
                    pos = end + 1
                    self._line(log, m, start, end, line_no, hits)
        return line_no - 1 + data.count(b"\n", counted_to)

    def _line(self, log: LogText, m, start: int, end: int, line_no: int, hits: Hits) -> None:
        data = log.data
        raw = data[start:end]
        if len(raw) > LONG_LINE:
            raw = data[max(start, m.start() - WINDOW):min(end, m.end() + WINDOW)]
        if self._veto is not None and self._veto.search(raw):
            return
        found = self._which.Match(raw)
        if not found:  # none, or the set's DFA ran out of memory: ask pattern by pattern
            found = [i for i, p in enumerate(self.patterns) if compile_pattern(p.regex).search(raw)]
        keys = [self._keys[i] for i in sorted(found)]
        if not keys:
            return
        text = raw[:MAX_LINE_SHOWN].decode("utf-8", "replace")
        first, last = log.block_around(start, end)
        block = data[first:last][:MAX_BLOCK_SHOWN].decode("utf-8", "replace") if (first, last) != (start, end) else None
        where = log.original_line(line_no)
        context = log.contexts.get(line_no)
        for key in keys:
            hits.add(Hit(key, log.source, where, text, context, block))
