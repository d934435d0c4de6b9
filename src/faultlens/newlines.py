"""With a passing run beside the failing one: what the failing run printed that the passing run
did not, in blocks, ranked by how much they read like the failure.

A line is new when its message is none the passing run printed: both runs' lines are masked as
faultlens.templates masks them (a run of characters holding a digit is a value, a time stamp
too) and compared by their first KEY_CHARS characters. New lines standing together (at most GAP
other lines between two of them) are one block: an error is seldom one line (a compiler's message
and the lines under it, an exception and its stack trace, a build tool's error report), and the
lines between are kept with them; more than QUIET_RUN new lines in a row that count nothing (see
below) end a block, so that a run unlike its passing run in every line is not one block. The frames of a stack trace stay with the exception line above them even when the passing
run printed the same frames.

A block's score is the sum of its lines' weights: 1 for a line that reads like an error (the
lexicon's error words, not a benign "0 errors"), 1 more at error level, 1 more naming an
exception; 1 for a stack frame; a warning's weight counts 0.3. A line counts nothing when it is a
verdict (the run or a step failed, a test count: it says that something failed, not what), an
echoed command, at a quiet level (INFO, DEBUG) or without words (separators, an empty
`[ERROR]`); such lines at a block's edges are dropped, indented lines under a counted one stay.
Blocks that score at least MIN_SCORE are reported, the highest first, each in file order; the
tiebreak is the later block (a run fails at its end). The same rule for every log: bench/baseline
measures it on the CiDiff pairs beside logreduce.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import re2

from faultlens.kb.model import Lexicon
from faultlens.kb.patterns import text_pattern
from faultlens.model import UnusualLine
from faultlens.parse.logs import LogText
from faultlens.templates import mask_lines
from faultlens.unusual import _matching

GAP = 2  # other lines that may stand between two new lines of one block
QUIET_RUN = 10  # new lines in a row that count nothing: a block ends before them
MIN_SCORE = 1.0  # a block weighing less is no error (a download, a timing, a verdict alone)
MAX_LINES = 200_000  # lines of each log compared: its last ones (where a run fails)
MAX_REPORTED = 200  # lines of all reported blocks together
MAX_TEXT = 500  # characters of a reported line
SHORT = 100  # characters: a longer line holds more than a time stamp and its fields
KEY_CHARS = 1000  # characters of a line compared (a progress meter's line runs to megabytes)

WARNING_WEIGHT = 0.3
CONTINUED = 1e-3  # an indented line under a counted one: kept, counts nothing

# A time stamp before the message, after up to two tab-separated fields (GitHub's job and step).
_STAMP = r"^(?:[^\t\n]*\t){0,2}\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)? ?"
# A stack frame or what continues a trace: Java/Kotlin `at x.y(Z.java:1)` (Maven: `at x.y (Z.java:1)`),
# `... 4 more`, `Caused by:`, Python's `File "x", line 1`.
_FRAME = r"^\s*(?:at [\w$.<>/-]+ ?\(|\.\.\. \d+ more\b|Caused by:|Suppressed:|File \"[^\"]*\", line \d+)"
_FRAME_ANYWHERE = r"\bat [\w$.<>/-]+ ?\(|\.\.\. \d+ more\b|Caused by:|Suppressed:|File \"[^\"]*\", line \d+"  # for the scan
_EXCEPTION = r"\b[\w$]+\.[\w$.]*(?:Exception|Error|Throwable)\b|\bTraceback \(most recent call last\)|^\w*(?:Error|Exception): "
_WARNING = r"(?:^|[\s\[|(])(?:WARN|WARNING)(?:$|[\s\]:|)])"
# What a build tool prints once something failed, beside the lexicon's run_failed: a verdict on a
# step, a test or the build, or a count of failures. It says that, not what.
_VERDICT = (r"(?i)\bBuild failed with an exception\b|\bExecution failed for task\b|\bThere were failing tests\b"
            r"|(?-i:\b(?:FAILED|FAILURE))\s*$|\bTests run: \d+, Failures: \d+|\b\d+ tests? completed, \d+ failed")
_LEVEL_TAG = r"^\s*\[?(INFO|DEBUG|TRACE|NOTICE|ERROR|FATAL|SEVERE|CRITICAL|WARNING|WARN)\b\]?:?"
_QUIET_TAGS = frozenset({"INFO", "DEBUG", "TRACE", "NOTICE"})
_ERROR_TAGS = frozenset({"ERROR", "FATAL", "SEVERE", "CRITICAL"})
_WORD = r"[A-Za-z]{2,}"


@cache
def _re(regex: str):
    return re2.compile(regex)


def _tail_lines(log: LogText) -> tuple[int, list[str]]:
    """(view line of the first, texts) of the log's last MAX_LINES lines."""
    data, start = log.data, 0
    if data.count(b"\n") >= MAX_LINES:
        start = len(data)
        for _ in range(MAX_LINES):
            start = data.rfind(b"\n", 0, start)
            if start < 0:
                break
        first = data.count(b"\n", 0, start + 1) + 1
        return first, data[start + 1:].decode("utf-8", "replace").split("\n")
    return 1, data.decode("utf-8", "replace").split("\n")


_STAMP_RE = re.compile(_STAMP)  # linear: each repetition ends at the next tab, the rest is fixed


def _message(text: str) -> str:
    m = _STAMP_RE.match(text)
    return text[m.end():] if m else text


def _weight(text: str, lexicon: Lexicon) -> float:
    """How much a new line says that something went wrong, and what (module docstring). A line
    that starts with its level (`[INFO] 1 error`) is at that level, whatever words follow."""
    tag = _re(_LEVEL_TAG).match(text)
    if not _re(_WORD).search(text[tag.end():] if tag else text):
        return 0.0
    if _re(_FRAME).search(text):
        return 1.0
    if (text_pattern(lexicon.not_evidence).search(text) or text_pattern(lexicon.run_failed).search(text)
            or _re(_VERDICT).search(text)):
        return 0.0
    if tag:
        level = tag.group(1)
        quiet, error_level, warning = level in _QUIET_TAGS, level in _ERROR_TAGS, level.startswith("WARN")
    else:
        error_level = bool(text_pattern(lexicon.error_level).search(text))
        quiet = bool(text_pattern(lexicon.quiet_level).search(text)) and not error_level
        warning = not error_level and bool(_re(_WARNING).search(text))
    if quiet:
        return 0.0
    weight = float(error_level) + bool(_re(_EXCEPTION).search(text))
    if text_pattern(lexicon.error_like).search(text) and not text_pattern(lexicon.benign).search(text):
        weight += 1.0
    return weight * WARNING_WEIGHT if warning else weight


def _evidence(log: LogText, first: int, count: int, lexicon: Lexicon) -> set[int]:
    """Indices (from the log's line `first`) of the lines that may weigh something: one RE2 scan
    of the whole text, so that a run whose every line is new costs no call a line."""
    views = _matching(log, _any_evidence(lexicon.error_like, lexicon.error_level))
    return {v - first for v in views if 0 <= v - first < count}


@cache
def _any_evidence(error_like: str, error_level: str) -> str:
    return "|".join(f"(?:{r})" for r in (error_like, error_level, _EXCEPTION.replace("^", ""), _FRAME_ANYWHERE))


def _scored(log: LogText, raw: list[str], keys: list[str], seen: set[str], first: int,
            lexicon: Lexicon) -> list[tuple[float, list[UnusualLine]]]:
    """(score, lines) of each block of one failing log. Only new lines and their neighbours are
    looked at beyond their key: their time stamps are dropped then (_message)."""
    messages: dict[int, str] = {}

    def text(i: int) -> str:
        if i not in messages:
            messages[i] = _message(raw[i])
        return messages[i]

    # a blank line is never new; a stamp and its fields before an empty message are short
    new = [k not in seen and bool(raw[i].strip()) and (len(raw[i]) > SHORT or bool(text(i).strip()))
           for i, k in enumerate(keys)]
    for i in range(1, len(raw)):  # a trace's frames stay with the new exception line above them
        if not new[i] and (new[i - 1] or (i > 1 and new[i - 2] and not text(i - 1).strip())) and _re(_FRAME).search(text(i)):
            new[i] = True
    evidence = _evidence(log, first, len(raw), lexicon)
    weights: dict[int, float] = {}
    for i, is_new in enumerate(new):
        if not is_new:
            continue
        weight = _weight(text(i), lexicon) if i in evidence else 0.0
        if not weight and weights.get(i - 1) and text(i)[:1].isspace():
            weight = CONTINUED  # an indented line under a counted one
        if weight:
            weights[i] = weight
    out = []
    for block in _blocks(new, weights):
        score = sum(weights[i] for i in block if i in weights)
        if score < MIN_SCORE:
            continue
        score = round(score + block[0] / len(raw), 3)
        out.append((score, [UnusualLine(log.source, log.original_line(first + i), raw[i][:MAX_TEXT], score)
                            for i in block]))
    return out


def _blocks(new: list[bool], weights: dict[int, float]) -> list[list[int]]:
    """New lines standing together (at most GAP other lines between two), cut where more than
    QUIET_RUN of them in a row count nothing, each from its first line that counts to its last."""
    out: list[list[int]] = []
    current: list[int] = []
    last = -1
    for i, is_new in enumerate(new):
        if not is_new:
            continue
        if current and (i - last - 1 > GAP or (i in weights and i - current[-1] - 1 > QUIET_RUN)):
            out.append(current)
            current = []
        if i in weights:
            current += range(current[-1] + 1, i + 1) if current else [i]
        last = i
    if current:
        out.append(current)
    return out


def new_lines(logs: Iterable[LogText], good: Iterable[LogText], lexicon: Lexicon) -> list[UnusualLine]:
    """The blocks of the failing run's logs that the passing run's logs lack, best first, in
    file order within a block; at most MAX_REPORTED lines in all."""
    runs = [(log, *_tail_lines(log)) for log in logs]
    passing = [t for log in good for t in _tail_lines(log)[1]]
    # one pass, so that a line both runs hold is masked once; a time stamp is a value like any
    keys = mask_lines([t[:KEY_CHARS] for t in passing] + [t[:KEY_CHARS] for _, _, raw in runs for t in raw])
    seen, at = set(keys[:len(passing)]), len(passing)
    blocks = []
    for log, first, raw in runs:
        blocks += _scored(log, raw, keys[at:at + len(raw)], seen, first, lexicon)
        at += len(raw)
    blocks.sort(key=lambda b: -b[0])
    out: list[UnusualLine] = []
    for _, lines in blocks:
        out += lines[:MAX_REPORTED - len(out)]
        if len(out) >= MAX_REPORTED:
            break
    return out
