"""When nothing known fits: the lines that stand out (error-like, and unlike the rest)."""

from __future__ import annotations

import re
from collections import Counter

from faultlens.kb.model import Lexicon
from faultlens.kb.patterns import text_pattern
from faultlens.model import UnusualLine
from faultlens.parse.logs import LogText

MAX_LINES_PROFILED = 200_000  # per log
MIN_LINES_FOR_RARITY = 20  # in a shorter log every line is "rare": only error-like lines count
SHOWN = 10

_MASKS = (
    (re.compile(r"^\S*\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\S*\s*|^\[?\w{3} +\d+ \d\d:\d\d:\d\d\]?\s*"), ""),
    (re.compile(r"0x[0-9a-fA-F]+|\b[0-9a-fA-F]{8,}\b"), "<hex>"),
    (re.compile(r"(?:/[^\s/'\"]+)+/?"), "<path>"),
    (re.compile(r"\d+(?:\.\d+)*"), "<n>"),
)


_DIGITS = str.maketrans("0123456789", "0000000000")


def rarity_key(line: str) -> str:
    """A cheap stand-in for the template when counting how common a line is: digits folded."""
    return line.translate(_DIGITS)


def template(line: str) -> str:
    """A line with its variable parts (times, numbers, hex, paths) masked."""
    for pattern, repl in _MASKS:
        line = pattern.sub(repl, line)
    return line.strip()


def error_templates(logs: list[LogText], lexicon: Lexicon) -> set[str]:
    """The templates of the error-like lines of some logs (what a passing run prints anyway)."""
    error_like, benign = text_pattern(lexicon.error_like), text_pattern(lexicon.benign)
    return {template(t) for log in logs for _, t in list(log.lines())[:MAX_LINES_PROFILED]
            if error_like.search(t) and not benign.search(t)}


def known_templates(logs: list[LogText]) -> set[str]:
    """The templates of every line of a passing run."""
    return {template(t) for log in logs for _, t in list(log.lines())[:MAX_LINES_PROFILED] if t.strip()}


def new_lines(logs: list[LogText], known: set[str], lexicon: Lexicon, shown: int = 20) -> list[UnusualLine]:
    """Error-like lines of the failing run whose template the passing run never printed."""
    error_like, benign = text_pattern(lexicon.error_like), text_pattern(lexicon.benign)
    out = []
    for log in logs:
        for number, text in list(log.lines())[:MAX_LINES_PROFILED]:
            if error_like.search(text) and not benign.search(text) and template(text) not in known:
                out.append(UnusualLine(log.source, number, text[:500], 1.0))
                if len(out) >= shown:
                    return out
    return out


def unusual_lines(logs: list[LogText], lexicon: Lexicon) -> list[UnusualLine]:
    error_like, benign = text_pattern(lexicon.error_like), text_pattern(lexicon.benign)
    scored: list[UnusualLine] = []
    for log in logs:
        lines = [(n, t) for n, t in log.lines() if t.strip()][:MAX_LINES_PROFILED]
        rarity = len(lines) >= MIN_LINES_FOR_RARITY
        counts = Counter(rarity_key(t) for _, t in lines) if rarity else Counter()
        for number, text in lines:
            if benign.search(text):
                continue  # "0 errors", "check passed": never what stands out in a failure
            score = 1.0 / counts[rarity_key(text)] if rarity else 0.0
            if error_like.search(text):
                score += 2.0
            if score >= 1.0:
                scored.append(UnusualLine(log.source, number, text[:500], round(score, 3)))
    scored.sort(key=lambda u: (-u.score, u.source, u.line))
    return scored[:SHOWN]
