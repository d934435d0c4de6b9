"""Knowledge-base patterns on RE2: linear time on any input, or rejected at load with the reason.

`^` means the start of the message: a log's own prefix may precede it: CI timestamps (GitHub
Actions `2024-01-01T00:00:00.1234567Z `, Jenkins `[12:00:00] `), an ISO or Python logging time
stamp (`2026-11-25 08:23:51,317 `), a syslog prefix (`Nov 25 03:08:02 host prog[123]: `).
"""

from __future__ import annotations

import re
from functools import cache

import re2

CI_PREFIX = (r"(?:\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)? "
             r"|\[\d\d:\d\d:\d\d(?:\.\d+)?\] "
             r"|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d [\w.-]+ [\w./@-]+(?:\[\d+\])?: )?")


class PatternError(ValueError):
    pass


# a backslash escape, a character class (where '^' and ']' first are literal), or an anchor
_PARTS = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|\^", re.S)


@cache
def for_engine(regex: str) -> str:
    """The pattern as compiled: every `^` anchor also admits a CI timestamp prefix."""
    return _PARTS.sub(lambda m: "^" + CI_PREFIX if m[0] == "^" else m[0], regex)


@cache
def compile_pattern(regex: str):
    """Compiled once per process: loading checks each pattern, the matcher then reuses it."""
    try:
        return re2.compile(for_engine(regex).encode(), _options())
    except re2.error as exc:
        raise PatternError(_reason(exc)) from None


@cache
def text_pattern(regex: str):
    """A knowledge-base pattern for matching str lines (lexicon entries), compiled once per process."""
    try:
        return re2.compile(for_engine(regex), _options())
    except re2.error as exc:
        raise PatternError(_reason(exc)) from None


def _reason(exc: Exception) -> str:
    """RE2's reason as text (it raises with the message as bytes for a bytes pattern)."""
    reason = exc.args[0] if exc.args else exc
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)


def check_pattern(regex: str) -> None:
    """Raise PatternError if RE2 cannot run it (backreferences, lookaround) or it is unsafe to combine."""
    if re.search(r"\(\?P?<[A-Za-z_]", regex):
        raise PatternError("named groups are not allowed (patterns are combined into one scan)")
    if re.search(r"(?<!\\)(?:\\\\)*\\[Az]", regex):
        raise PatternError("\\A and \\z are not allowed: use ^ and $ (a pattern sees one line at a time)")
    compile_pattern(regex)


def _options():
    opts = re2.Options()
    opts.max_mem = 64 << 20
    opts.log_errors = False  # a bad pattern is reported once, as a KBError line, not also by absl on stderr
    return opts


def pattern_set(regexes: tuple[str, ...]):
    """An RE2 set of engine-ready patterns: Match(line) gives the indices of those that match
    anywhere in it, in one pass (one compilation instead of one per pattern)."""
    found = re2.Set.SearchSet(_options())
    try:
        for regex in regexes:
            found.Add(regex.encode())
        found.Compile()
    except re2.error as exc:  # too many patterns for max_mem: the caller asks pattern by pattern
        raise PatternError(_reason(exc)) from None
    return found


def _reason(exc: Exception) -> str:
    reason = exc.args[0] if exc.args else exc
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
