"""When nothing known fits: the lines that stand out (error-like, and unlike the rest); with a
passing run beside it, the error lines the passing run never printed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from faultlens.kb.model import Lexicon
from faultlens.kb.patterns import text_pattern
from faultlens.model import UnusualLine
from faultlens.parse.logs import LogText
from faultlens.templates import mine

MAX_LINES_PROFILED = 200_000  # per log
MIN_LINES_FOR_RARITY = 20  # in a shorter log every line is "rare": only error-like lines count
SHOWN = 10
NEW_SHOWN = 20


def _profiled(log: LogText) -> list[tuple[int, str]]:
    out = []
    for number, text in log.lines():
        if text.strip():
            out.append((number, text))
            if len(out) >= MAX_LINES_PROFILED:
                break
    return out


def error_lines(logs: Iterable[LogText], lexicon: Lexicon) -> list[tuple[str, int, str]]:
    """(source, line, text) of every error-like line that is not a benign one ("0 errors")."""
    error_like, benign = text_pattern(lexicon.error_like), text_pattern(lexicon.benign)
    return [(log.source, number, text) for log in logs for number, text in _profiled(log)
            if error_like.search(text) and not benign.search(text)]


def seen_before(good: list[str], texts: list[str]) -> set[str]:
    """The texts that are a message the good lines hold too (values aside): mined together."""
    groups = mine(good + texts).groups
    known = set(groups[:len(good)])
    return {text for text, g in zip(texts, groups[len(good):]) if g in known}


def good_lines(logs: Iterable[LogText]) -> list[str]:
    return [text for log in logs for _, text in _profiled(log)]


def new_lines(candidates: list[tuple[str, int, str]], seen: set[str]) -> list[UnusualLine]:
    """The error lines (from error_lines) of a failing run that are not among the seen ones."""
    return [UnusualLine(source, number, text[:500], 1.0)
            for source, number, text in candidates if text not in seen][:NEW_SHOWN]


def unusual_lines(logs: list[LogText], lexicon: Lexicon) -> list[UnusualLine]:
    """Scored: 1 / how many lines of its log are the same message, + 2 when error-like."""
    error_like, benign = text_pattern(lexicon.error_like), text_pattern(lexicon.benign)
    scored: list[UnusualLine] = []
    for log in logs:
        lines = _profiled(log)
        rarity = len(lines) >= MIN_LINES_FOR_RARITY
        groups = mine([t for _, t in lines]).groups if rarity else []
        sizes = Counter(groups)
        for i, (number, text) in enumerate(lines):
            if benign.search(text):
                continue  # "0 errors", "check passed": never what stands out in a failure
            score = 1.0 / sizes[groups[i]] if rarity else 0.0
            if error_like.search(text):
                score += 2.0
            if score >= 1.0:
                scored.append(UnusualLine(log.source, number, text[:500], round(score, 3)))
    scored.sort(key=lambda u: (-u.score, u.source, u.line))
    return scored[:SHOWN]
