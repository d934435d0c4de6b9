"""When nothing known fits: the lines that stand out (error-like, and unlike the rest). With a
passing run beside it, what it never printed is faultlens.newlines'."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache

from faultlens.kb.model import Lexicon
from faultlens.kb.patterns import compile_pattern, for_engine, pattern_set
from faultlens.model import UnusualLine
from faultlens.parse.logs import LogText
from faultlens.templates import mine

MAX_LINES_PROFILED = 50_000  # per log: its last lines (a run fails at its end; ~0.3 s of a big log)
MIN_LINES_FOR_RARITY = 20  # in a shorter log every line is "rare": only error-like lines count
SHOWN = 10
SEEN_CHARS = 1000


def _start(log: LogText) -> tuple[int, int]:
    """(byte offset, view line) where the profiled part of a log starts: its last
    MAX_LINES_PROFILED lines. A bigger log is not read whole twice more (decoded, then searched
    for every lexicon pattern): its end is where the run failed."""
    data, pos, breaks = log.data, len(log.data), log.line_breaks
    if breaks < MAX_LINES_PROFILED:
        return 0, 1
    for _ in range(MAX_LINES_PROFILED):
        pos = data.rfind(b"\n", 0, pos)
    return pos + 1, breaks - MAX_LINES_PROFILED + 2  # the break at pos ends line breaks - MAX + 1


def _profiled(log: LogText, start: tuple[int, int], lexicon: tuple[str, ...] = ()) -> list[tuple[int, int, str, list[int]]]:
    """(line of the view, line in the file, text, the `lexicon` patterns it matches) of the
    non-empty lines from `start` on: every line asked of one RE2 set of them (a profiled end is
    50,000 lines, most of them matching one pattern or more in a noisy log: one call a line
    costs less than a scan per pattern and a call per match)."""
    offset, first = start
    which = _lexicon_set(lexicon) if lexicon else None
    data = log.data[offset:]
    texts = data.decode("utf-8", "replace").split("\n")  # one decode: "\n" is a line break in both
    out = []
    for view, (raw, text) in enumerate(zip(data.split(b"\n"), texts), start=first):
        if text.strip():
            out.append((view, log.original_line(view), text, (which(raw) or []) if which else []))
    return out


@cache
def _lexicon_set(regexes: tuple[str, ...]):
    """The set's Match: google-re2's own, past its wrapper (50,000 calls a big log; the wrapper's
    type check is a third of their time), or the wrapper's where that is not there."""
    found = pattern_set(tuple(for_engine(r) for r in regexes))
    return getattr(getattr(found, "_set", found), "Match", found.Match)


def _matching(log: LogText, regex: str, start: tuple[int, int] = (0, 1)) -> set[int]:
    """The view lines from `start` on a lexicon pattern matches, as a line-by-line search would
    say, in one RE2 scan of the buffer: a match within its line is one (with (?m), ^ $ and \\b
    see a line edge as they see a text edge); only a match running past its line is checked on
    the line."""
    scan, data = compile_pattern("(?m)" + regex), log.data
    found, (pos, line) = set(), start
    counted = pos
    while pos <= len(data):
        m = scan.search(data, pos)
        if m is None:
            break
        start, end = log.line_bounds(m.start())
        line += data.count(b"\n", counted, start)
        counted, pos = start, end + 1
        if m.end() <= end or scan.search(data, start, end):
            found.add(line)
    return found


def error_lines(logs: Iterable[LogText], lexicon: Lexicon) -> list[tuple[str, int, str]]:
    """(source, line, text) of every error-like line that is not a benign one ("0 errors")."""
    marks = (lexicon.error_like, lexicon.benign)
    return [(log.source, number, text) for log in logs
            for _, number, text, found in _profiled(log, _start(log), marks) if 0 in found and 1 not in found]


def seen_before(good: list[str], texts: list[str]) -> set[str]:
    """The texts that are a message the good lines hold too (values aside): mined together, by
    their first SEEN_CHARS characters (a progress meter's line runs to megabytes)."""
    groups = mine([t[:SEEN_CHARS] for t in good] + [t[:SEEN_CHARS] for t in texts]).groups
    known = set(groups[:len(good)])
    return {text for text, g in zip(texts, groups[len(good):]) if g in known}


def good_lines(logs: Iterable[LogText]) -> list[str]:
    return [text for log in logs for _, _, text, _ in _profiled(log, _start(log))]


def unusual_lines(logs: list[LogText], lexicon: Lexicon) -> list[UnusualLine]:
    """Scored: 1 / how many lines of its log are the same message, + 2 when error-like, + 1 at
    error level, + up to 1 the later it comes (a run fails at its end, its noise starts early)."""
    scored: list[UnusualLine] = []
    marks = (lexicon.error_like, lexicon.error_level, lexicon.benign, lexicon.not_evidence)
    for log in logs:
        lines = _profiled(log, _start(log), marks)
        rarity = len(lines) >= MIN_LINES_FOR_RARITY
        groups = mine([t for _, _, t, _ in lines]).groups if rarity else []
        sizes = Counter(groups)
        for i, (_, number, text, found) in enumerate(lines):
            if 2 in found or 3 in found:
                continue  # "0 errors", "check passed", an echoed command: never what stands out
            score = 1.0 / sizes[groups[i]] if rarity else 0.0
            if 0 in found:
                score += 2.0 + (1 in found)
            if score >= 1.0:
                score += i / len(lines)
                scored.append(UnusualLine(log.source, number, text[:500], round(score, 3)))
    scored.sort(key=lambda u: (-u.score, u.source, u.line))
    return scored[:SHOWN]
