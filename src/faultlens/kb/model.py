"""The knowledge base as typed data: causes, their signals and examples."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from msgspec import Struct

from faultlens.kb.patterns import text_pattern

SignalKind = Literal["log", "fact", "sequence", "event"]
Scope = Literal["line", "block", "window", "run"]


class Pattern(Struct, frozen=True):
    """A log pattern, known by a key unique across the knowledge base."""

    key: str  # shared signal id, or "<cause>/<signal>"
    regex: str  # as written in the YAML
    access: str | None = None  # r/w/x: the paths on matching lines are checked against the snapshot


class EventFilter(Struct, frozen=True):
    """Which failure events a signal counts (events/): every listed field must match; an empty
    field matches anything. `op` may list "none" for an event whose operation is not known."""

    errno: tuple[str, ...] = ()
    op: tuple[str, ...] = ()
    speaker: tuple[str, ...] = ()
    object: str | None = None  # a pattern (RE2, case-insensitive) the event's object must match

    def matches(self, event) -> bool:
        return ((not self.errno or event.errno in self.errno)
                and (not self.op or (event.op or "none") in self.op)
                and (not self.speaker or event.speaker in self.speaker)
                and (self.object is None or (event.object is not None and bool(text_pattern(self.object).search(event.object)))))


class Signal(Struct, frozen=True):
    id: str
    kind: SignalKind
    weight: float  # negative: evidence against the cause
    pattern: Pattern | None = None
    fact: str | None = None
    event: EventFilter | None = None
    after: str | None = None  # sequence: a signal id of the same cause...
    then: str | None = None  # ...followed by this one...
    within: timedelta | None = None  # ...at most this much later
    line: int = 0
    # where a log signal against a cause counts: on a supporting line itself ("line"), in its stack
    # trace ("block"), within `window` lines of it ("window"), or anywhere in the run ("run")
    scope: Scope = "window"
    window: int = 3
    # a generic wording ("timed out", "watchdog"): full weight only at error level or before the
    # run fails, else weak evidence (rank.UNCORROBORATED)
    corroborate: bool = False


class Example(Struct, frozen=True):
    name: str
    inputs: dict[str, str]  # file name -> content
    positive: bool
    user: str | None = None
    line: int = 0


class Cause(Struct, frozen=True):
    id: str
    title: str
    category: str
    summary: str
    runbook: str
    signals: tuple[Signal, ...]
    requires: tuple[str, ...] = ()
    next_steps: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    path: str = ""
    sources: tuple[str, ...] = ()
    # a symptom (a failed assertion) yields to any other cause found beside it
    symptom: bool = False


class Lexicon(Struct, frozen=True):
    """Knowledge-base-wide patterns that are not causes."""

    error_like: str  # lines that read like a failure (for unusual lines)
    benign: str  # ...unless they say it went fine ("0 errors")
    path: str  # an absolute path inside a log line
    system_accounts: str  # owners that are not a person's account
    executable_names: str  # file paths that should carry an execute bit
    private_key_names: str  # file names of private keys
    error_level: str  # a line logged at error level (corroborates a generic signal)
    quiet_level: str  # a line logged at info or debug level: its hits count as generic ones
    run_failed: str  # a line that says the run or step failed (non-zero exit, FAILED, BUILD FAILURE)
    run_passed: str  # a line that says the run succeeded (BUILD SUCCESS, Finished: SUCCESS)
    not_evidence: str  # echoed commands and their arguments: never evidence of anything
    retry_announced: str  # a line that says the step will be retried: evidence only while the retries keep failing
    private_paths: str  # paths kept from other accounts on purpose (sudoers, shadow, ssl/private ...)
    program_paths: str  # where a script is meant to be run from (bin/, sbin/, libexec/, entrypoint)
    module_paths: str  # ...unless below a language's module tree (site-packages/pkg/bin/x.py is a module)
    library_names: str  # a shared library by name: loaded, so no execute bit needed even if it can run

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        return tuple(cls.__struct_fields__)


class KnowledgeBase(Struct):
    causes: dict[str, Cause]
    lexicon: Lexicon
    runbook_dirs: tuple[str, ...]
    version: str
    # (evidence score, confidence) knots of a monotone map; empty: the score is the confidence
    calibration: tuple[tuple[float, float], ...] = ()
    # (cause, how many incidents of the tuning half it caused): orders weak causes whose
    # confidences tie (bench/accuracy/run.py --fit writes it beside the calibration map)
    base_rates: tuple[tuple[str, int], ...] = ()

    def base_rate(self, cause: str) -> int:
        return dict(self.base_rates).get(cause, 0)

    def calibrate(self, score: float) -> float:
        """The confidence for an evidence score: piecewise linear between the knots."""
        knots = self.calibration
        if not knots:
            return score
        if score <= knots[0][0]:
            return knots[0][1] * score / knots[0][0] if knots[0][0] else knots[0][1]
        for (x0, y0), (x1, y1) in zip(knots, knots[1:]):
            if score <= x1:
                return y0 + (y1 - y0) * (score - x0) / (x1 - x0)
        return knots[-1][1]

    def patterns(self) -> list[Pattern]:
        """Every distinct log pattern, shared ones once."""
        seen: dict[str, Pattern] = {}
        for cause in self.causes.values():
            for signal in cause.signals:
                if signal.pattern is not None:
                    seen.setdefault(signal.pattern.key, signal.pattern)
        return list(seen.values())
