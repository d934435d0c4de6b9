"""Evidence x causes -> scored findings. Pure: data in, data out.

A cause's evidence score combines its fired signals as independent pieces of evidence (noisy-OR
of weight x strength), weak log signals to an explanation only where their lines are near one
another; signals with negative weight argue against it and scale it down, but a
log signal against a cause only where the cause's own log evidence is (its line, stack trace or
a window of lines around it: `scope` in the YAML), never anywhere in the run. A generic wording
(`corroborate: true`), and any hit on a line logged at INFO or DEBUG, counts in full only when
logged at error level near the end of its log or followed within 10 lines by a failed run or
step (not one that says itself why, as systemd's status=203/EXEC does: that is a failure of its
own), and only when nothing else failed after it (before that failed step, or before the end):
a run dies of its last failure. The knowledge base's calibration map turns the score into a confidence (bench/accuracy);
explained causes are ordered by how late their evidence comes, then by confidence. Weak causes
(below 0.5) whose every line is a warning come after the others; they are ordered by confidence,
and where several read the same to the hundredth (a bare
"Permission denied" supports six causes a little) by how many incidents of the tuning half each
caused (the knowledge base's base rates), then by name.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import timedelta
from math import prod

from msgspec import Struct
from msgspec.structs import replace

from faultlens.kb.model import Cause, KnowledgeBase, Signal
from faultlens.kb.patterns import text_pattern
from faultlens.match import Hit, Hits
from faultlens.model import Event, Evidence, Fact, Finding, RunbookRef

REPORT_AT = 0.1  # evidence score below which a cause is not listed at all
LISTED_AT = 0.01  # confidence (after calibration and yielding to other causes) below which it is not either
EXPLAINED_AT = 0.5  # "real support": the verdict is explained and the exit code 0
EVIDENCE_PER_SIGNAL = 3
EVIDENCE_PER_FINDING = 10
UNCORROBORATED = 0.35  # the strength of a generic signal no error level or failed run backs up
FAILED_WITHIN = 10  # lines: a failure reported this soon after a generic line backs it up
NEAR_END = 20  # lines (or a tenth of the log, if more): an error-level line this near the end backs itself up
RUN_FAILED = "lexicon/run-failed"  # the pattern keys of the lexicon's run_failed / run_passed lines
RUN_PASSED = "lexicon/run-passed"
SPAWNER = "systemd"  # the events' speaker whose failed steps say why (events/forms/systemd.yaml)


class Fired(Struct, frozen=True):
    signal: Signal
    strength: float
    evidence: tuple[Evidence, ...]
    fact: Fact | None = None
    hits: tuple[Hit, ...] = ()  # the log lines behind it

    @property
    def effect(self) -> float:
        return self.signal.weight * self.strength


def rank(kb: KnowledgeBase, hits: Hits, facts: dict[str, Fact], runbooks: dict[str, RunbookRef],
         lines: dict[str, int] | None = None, events: tuple[Event, ...] = (),
         tails: dict[str, tuple[tuple[int, str], ...]] | None = None) -> list[Finding]:
    """lines: how many lines each log has (for "near the end of the run"); events: the failure
    events read from the logs (for `event:` signals); tails: each log's error-level lines near
    its end, (line, text) (for "the run's last failure")."""
    ctx = _Context(kb, hits, facts, lines or {}, events, tails or {})
    findings = [f for cause in kb.causes.values() if (f := _score(ctx, cause, runbooks))]
    findings = [f for f in _symptoms_yield(findings, kb) if f.confidence >= LISTED_AT]
    late = {f.id: _lateness(f, ctx) for f in findings}
    latest = max((v for v in late.values() if v is not None), default=1.0)
    return sorted(findings, key=lambda f: _order(f, latest if late[f.id] is None else late[f.id], kb.base_rate(f.id),
                                                 _warned_only(f, kb)))


LATE_STEPS = 5  # explained causes are ordered by how late their evidence is, in fifths of the log


def _lateness(f: Finding, ctx: _Context) -> float | None:
    """How late in its log the finding's latest log evidence comes (0..1); None for a finding
    backed by the snapshot alone (it describes the end state: as late as the latest log cause)."""
    late = None
    for ev in f.evidence:
        end = ctx.lines.get(ev.source)
        if end and ev.line:
            late = max(late or 0.0, min(ev.line / end, 1.0))
    return late


def _order(f: Finding, late: float, base_rate: int = 0, warned_only: bool = False) -> tuple:
    """Explained causes first; among them the one whose evidence comes latest (by fifths of its
    log: a run dies of its last failure, the ones it lived through came before), then by
    confidence. Weak causes: those whose every line is a warning after the others (a warning
    fails nothing), then by confidence to the hundredth (as every output shows it; the map
    below 0.5 resolves no finer), a tie going to the more common cause (its base rate)."""
    if f.confidence < EXPLAINED_AT:
        return (1, warned_only, -round(f.confidence, 2), -base_rate, f.id)
    return (0, -int(late * LATE_STEPS), -f.confidence, f.id)


_WARNING = r"(?i)(?:^|[\s\[|(:])(?:warn|warning)(?:$|[\s\]:|)])"


def _warned_only(f: Finding, kb: KnowledgeBase) -> bool:
    """Is every log line behind the finding a warning (`perl: warning: ...`, `[WARN]`), none at
    error level?"""
    lines = [ev.text for ev in f.evidence if ev.line]
    error_level = text_pattern(kb.lexicon.error_level)
    return bool(lines) and all(text_pattern(_WARNING).search(t) and not error_level.search(t) for t in lines)


def _symptoms_yield(findings: list[Finding], kb: KnowledgeBase) -> list[Finding]:
    """A failed assertion beside an infrastructure cause is that cause's symptom: its confidence
    keeps only the share the other causes leave unexplained."""
    best_other = max((f.confidence for f in findings if not kb.causes[f.id].symptom and f.confidence >= EXPLAINED_AT),
                     default=0.0)
    if not best_other:
        return findings
    return [replace(f, confidence=round(f.confidence * (1.0 - best_other), 3)) if kb.causes[f.id].symptom else f
            for f in findings]


class _Context(Struct, frozen=True):
    kb: KnowledgeBase
    hits: Hits
    facts: dict[str, Fact]
    lines: dict[str, int]
    events: tuple[Event, ...] = ()
    tails: dict[str, tuple[tuple[int, str], ...]] = {}


def _score(ctx: _Context, cause: Cause, runbooks: dict[str, RunbookRef]) -> Finding | None:
    kb = ctx.kb
    supporting = [s for s in cause.signals if s.weight > 0 or s.kind == "sequence"]
    positive = [f for s in supporting if (f := _fire(s, cause, ctx)) is not None and f.effect > 0]
    if cause.requires and not any(f.signal.id in cause.requires for f in positive):
        return None
    anchors = [h for f in positive for h in f.hits]
    negative = [f for s in cause.signals if s.weight < 0 and (f := _fire(s, cause, ctx, anchors)) is not None]
    score = min(1.0 - prod(1.0 - f.effect for f in positive), _episode_cap(positive))
    for f in negative:
        score *= 1.0 + f.effect
    score = round(score, 6)  # 1 - (1 - 0.1) is not quite 0.1 in floating point
    if score < REPORT_AT:
        return None
    confidence = kb.calibrate(score)
    positive.sort(key=lambda f: -f.effect)
    facts_fired = [f.fact for f in positive if f.fact is not None]
    steps = [s for fact in facts_fired for s in fact.next_steps] + list(cause.next_steps)
    return Finding(
        id=cause.id, title=cause.title, category=cause.category, confidence=round(confidence, 3),
        summary=facts_fired[0].summary if facts_fired else cause.summary,
        evidence=_collect(positive), runbook=runbooks.get(cause.runbook),
        next_steps=tuple(dict.fromkeys(steps)), against=_collect(negative))


EPISODE = 20  # lines: weak log signals add up to an explanation only when they are this near one another
APART_AT_MOST = 0.49  # the most weak signals apart add up to: a lead, never an explanation


def _episode_cap(positive: list[Fired]) -> float:
    """The most the positive signals may score. Weak log signals (each below EXPLAINED_AT alone)
    add up to an explanation only where their lines are near one another: a locale warning at the
    top of a log and a compiler's note on bad bytes at its end are two ordinary lines, not one
    failure. Apart they stay a weak lead (and every line is still cited); the best episode, with
    the snapshot's facts, counts in full. Beside a strong signal or fact nothing is capped."""
    logs = [f for f in positive if f.hits and f.signal.kind != "sequence"]
    if len(logs) < 2 or any(f.effect >= EXPLAINED_AT for f in positive):
        return 1.0
    at = [{src: sorted(h.line for h in f.hits if h.source == src) for src in {h.source for h in f.hits}} for f in logs]

    def near(i: int, hit: Hit) -> bool:
        lines = at[i].get(hit.source, ())
        k = bisect_left(lines, hit.line - EPISODE)
        return k < len(lines) and lines[k] <= hit.line + EPISODE

    others = prod(1.0 - f.effect for f in positive if f not in logs)
    best = max(1.0 - others * prod(1.0 - g.effect for i, g in enumerate(logs) if near(i, hit))
               for f in logs for hit in f.hits)
    return max(best, APART_AT_MOST)


def _collect(fired: list[Fired]) -> tuple[Evidence, ...]:
    seen, out = set(), []
    for f in fired:
        for ev in f.evidence[:EVIDENCE_PER_SIGNAL]:
            key = (ev.source, ev.line)
            if key in seen:
                continue
            seen.add(key)
            out.append(Evidence(ev.source, ev.line, ev.text, f.signal.id, ev.context))
    return tuple(out[:EVIDENCE_PER_FINDING])


def _fire(signal: Signal, cause: Cause, ctx: _Context, anchors: list[Hit] | None = None) -> Fired | None:
    """The signal, if it fires; a signal against the cause (anchors given) only in its scope."""
    hits, facts = ctx.hits, ctx.facts
    if signal.kind in ("log", "event"):
        found = hits.get(signal.pattern.key) if signal.kind == "log" else \
            [Hit(signal.id, e.source, e.line or 0, e.text) for e in ctx.events if signal.event.matches(e)]
        if anchors is not None and signal.scope != "run":
            found = [h for h in found if any(_in_scope(h, a, signal) for a in anchors)]
        if not found:
            return None
        strength = 1.0
        if signal.corroborate or all(_quiet(h, ctx) for h in found):
            backed = [h for h in found if _corroborated(h, ctx, cause)]
            strength, found = (1.0, backed) if backed else (UNCORROBORATED, found)
        return Fired(signal, strength, tuple(_evidence(h) for h in found), hits=tuple(found))
    if signal.kind == "fact":
        fact = facts.get(signal.fact)
        return Fired(signal, fact.strength, fact.evidence, fact) if fact and fact.strength > 0 else None
    by_id = {s.id: s for s in cause.signals}
    pair = _in_sequence(hits.get(by_id[signal.after].pattern.key), hits.get(by_id[signal.then].pattern.key),
                        signal.within)
    if pair is None:
        return None
    first, then = pair
    return Fired(signal, 1.0, (_evidence(then), _evidence(first)), hits=(then, first))


def _in_scope(hit: Hit, anchor: Hit, signal: Signal) -> bool:
    """Is a hit against a cause where the cause's evidence is (signal.scope)?"""
    if hit.source != anchor.source:
        return False
    if hit.line == anchor.line:
        return True
    if signal.scope == "block":
        return any(b is not None and t in b for t, b in ((hit.text, anchor.block), (anchor.text, hit.block)))
    return signal.scope == "window" and abs(hit.line - anchor.line) <= signal.window


def _quiet(hit: Hit, ctx: _Context) -> bool:
    """Logged at info or debug level (and not at error level)."""
    lexicon = ctx.kb.lexicon
    return bool(text_pattern(lexicon.quiet_level).search(hit.text)) and not text_pattern(lexicon.error_level).search(hit.text)


def _corroborated(hit: Hit, ctx: _Context, cause: Cause) -> bool:
    """A generic line backed up: the run or a step failed soon after it, or it is logged at error
    level near the end of its log; either only when nothing else failed in between
    (_failed_after)."""
    told = _told(hit.source, ctx)
    failed = [f.line for f in ctx.hits.get(RUN_FAILED) if f.source == hit.source and f.line not in told]
    last = ctx.hits.last.get((RUN_FAILED, hit.source))
    if last is not None:
        failed.append(last.line)
    if any(0 <= line - hit.line <= FAILED_WITHIN and not _failed_after(hit, ctx, cause, line) for line in failed):
        return True
    end = ctx.lines.get(hit.source, hit.line)
    return hit.line > end - max(NEAR_END, end // 10) and bool(text_pattern(ctx.kb.lexicon.error_level).search(hit.text)) \
        and not _failed_after(hit, ctx, cause)


def _failed_after(hit: Hit, ctx: _Context, cause: Cause, until: int | None = None) -> bool:
    """Does something else fail after the hit (and before line `until`, if given): a failure event
    or an error-level line near the log's end, outside the hit's stack trace and not logged at
    INFO ("[INFO] 1 error"), that is neither a failed run or step nor the cause's own evidence? A run dies of its last failure: an assertion
    some tool printed before a traceback ends the run is not what ended it, nor what the failed
    step after that traceback reports."""
    failures = [*ctx.tails.get(hit.source, ()), *((e.line, e.text) for e in ctx.events if e.source == hit.source and e.line)]
    quiet = text_pattern(ctx.kb.lexicon.quiet_level)
    later = {line for line, text in failures if hit.line < line and (until is None or line < until)
             and not (hit.block and text in hit.block) and not quiet.search(text)}
    if not later:
        return False
    keys = [s.pattern.key for s in cause.signals if s.kind == "log" and s.weight > 0]
    own = {h.line for key in keys for h in ctx.hits.get(key) if h.source == hit.source}
    steps = {h.line for h in ctx.hits.get(RUN_FAILED) if h.source == hit.source} - _told(hit.source, ctx)
    return bool(later - own - steps)


def _told(source: str, ctx: _Context) -> set[int]:
    """The failed-step lines that say themselves why the step failed: typed failure events with an
    operation (systemd's "status=203/EXEC", the service manager could not start the process). Such
    a line backs no generic line before it; it is a failure of its own."""
    return {e.line for e in ctx.events if e.source == source and e.op and e.line is not None and e.speaker == SPAWNER}


def _evidence(hit: Hit) -> Evidence:
    return Evidence(hit.source, hit.line, hit.block or hit.text, hit.key, hit.context)


def _in_sequence(firsts: list[Hit], thens: list[Hit], within: timedelta) -> tuple[Hit, Hit] | None:
    """A `then` line that follows a `first` line: by time stamps when both have one, else by line
    order within the same input."""
    times = {id(h): h.time for h in firsts + thens}
    for then in thens:
        for first in firsts:
            t0, t1 = times[id(first)], times[id(then)]
            if t0 is not None and t1 is not None:
                if timedelta(0) <= t1 - t0 <= within and (first.source, first.line) != (then.source, then.line):
                    return first, then
            elif first.source == then.source and first.line < then.line:
                return first, then
    return None
