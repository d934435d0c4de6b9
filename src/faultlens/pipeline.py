"""explain(inputs) -> Explanation. Reads, sniffs, parses, matches, reasons, ranks; never prints."""

from __future__ import annotations

from collections import Counter

from msgspec import Struct, field
from msgspec.structs import replace

from faultlens import events
from faultlens.facts import build_context, derive_facts
from faultlens.facts.baseline import summaries
from faultlens.facts.hypotheses import hypotheses
from faultlens.facts.snapshot import Snapshot
from faultlens.ingest.decode import nul_notes, to_text
from faultlens.ingest.sniff import sniff
from faultlens.ingest.sources import Blob, InputError, read_inputs
from faultlens.kb.model import KnowledgeBase, Pattern
from faultlens.kb.patterns import text_pattern
from faultlens.match import Hits, Matcher
from faultlens.model import SHOW_UNUSUAL_BELOW, BaselineReport, Explanation, InputInfo, Problem, RunbookRef
from faultlens.parse import snapshot_parser
from faultlens.parse.logs import LogText
from faultlens.parse.structured import VIEWS
from faultlens.parse.records import SnapshotRecords
from faultlens.parse.session import IN_LOG_HINT, IN_LOG_KEY, records_in_log
from faultlens.rank import EXPLAINED_AT, NEAR_END, RUN_FAILED, RUN_PASSED, rank
from faultlens.runbooks import load_runbooks
from faultlens.newlines import new_lines
from faultlens.unusual import good_lines, seen_before, unusual_lines

SNIFF_BYTES = 1 << 16


class Run(Struct):
    """One run's inputs, read and sorted: logs, snapshot records, and what each input was."""

    logs: list[LogText] = field(default_factory=list)
    records: SnapshotRecords = field(default_factory=SnapshotRecords)
    infos: list[InputInfo] = field(default_factory=list)


def explain(inputs: list[str], kb: KnowledgeBase, user: str | None = None, stdin=None,
            baseline: list[str] | None = None, all_unusual: bool = True) -> Explanation:
    """Explain a failure; with a passing run as baseline, only what is new counts. all_unusual:
    see explain_run."""
    matcher = _prepared(kb)[0]
    run = _read_run(inputs, stdin, "", matcher)
    good = _read_run(baseline, None, "baseline: ", matcher) if baseline else None
    return explain_run(run, kb, user, good, tuple(baseline or ()), all_unusual)


def explain_blobs(blobs: list[Blob], problems: list[Problem], kb: KnowledgeBase, user: str | None = None) -> Explanation:
    return explain_run(read_blobs(blobs, problems), kb, user)


def _read_run(inputs: list[str], stdin, what: str, matcher: Matcher) -> Run:
    """The inputs read; a compressed big log's head is scanned as it is decompressed, once."""
    def head_sink(bom: bytes):
        from faultlens.match.pieces import StreamScan  # here: only a big compressed log needs it

        return StreamScan(matcher, bom)

    blobs, problems = read_inputs(inputs, stdin, head_sink)
    if not blobs:
        reason = "; ".join(f"{p.source}: {p.reason}" for p in problems) or "no file in " + ", ".join(inputs)
        raise InputError(f"{what}nothing could be read ({reason})")
    run = read_blobs(blobs, problems)
    if all(i.kind in ("empty", "skipped", "unreadable") for i in run.infos):  # empty or binary only
        reason = "; ".join(f"{p.source}: {p.reason}" for i in run.infos for p in i.problems)
        raise InputError(f"{what}nothing readable ({reason})")
    return run


def read_blobs(blobs: list[Blob], problems: list[Problem]) -> Run:
    """Sniff and parse every blob; a problem that names a blob (a cut, a broken stream) is listed
    with it, the others as unreadable inputs."""
    read = {blob.source for blob in blobs}
    run = Run(infos=[InputInfo(p.source, "unreadable", "-", 0, (p,)) for p in problems if p.source not in read])
    for blob in blobs:
        start = len(run.infos)
        _read_blob(run, blob)
        if blob.source in read:
            extra = tuple(p for p in problems if p.source == blob.source)
            if extra:
                run.infos[start] = replace(run.infos[start], problems=run.infos[start].problems + extra)
            read.discard(blob.source)  # a member listed twice gets them once
    return run


def _read_blob(run: Run, blob: Blob) -> None:
    if blob.head is None and (not blob.data or blob.data.isspace()):
        run.infos.append(InputInfo(blob.source, "empty", "-", 0, (Problem(blob.source, "empty input: nothing to read"),)))
        return
    kind = sniff(blob.source, blob.data, to_text(blob.data[:SNIFF_BYTES]))
    if kind.kind == "log":
        log = VIEWS[kind.format](blob.source, blob.data)
        notes = ((Problem(blob.source, kind.note),) if kind.note else ()) + nul_notes(blob.source, blob.data)
        if blob.head is not None:  # its lines are counted when it is scanned (explain_run)
            log, lines = replace(log, head=blob.head), 0
            notes = (blob.head.note(blob.source),) + notes
        else:
            lines = log.line_count
        run.logs.append(log)
        run.infos.append(InputInfo(blob.source, "log", kind.format, lines, notes))
    elif kind.kind == "snapshot":
        text = to_text(blob.data)
        parsed = snapshot_parser(kind.format)(text, blob.source)
        run.records.extend(parsed)
        notes = (blob.head.snapshot_note(blob.source),) if blob.head is not None else ()
        run.infos.append(InputInfo(blob.source, "snapshot", kind.format, parsed.lines, notes + tuple(parsed.problems)))
        rest = _unparsed(text, parsed.problems)
        if rest:  # a pasted terminal session: the lines around the listing are log lines
            run.logs.append(LogText.from_view(blob.source, rest, parsed.lines))
    elif kind.kind == "skipped":
        run.infos.append(InputInfo(blob.source, "skipped", kind.format, 0,
                                   (Problem(blob.source, f"{kind.format} file skipped"),)))
    else:
        run.infos.append(InputInfo(blob.source, kind.kind, kind.format, blob.data.count(b"\n")))


MAX_UNPARSED_AS_LOG = 2000


def _unparsed(text: str, problems) -> list[tuple[int, str, None]]:
    """The lines of a snapshot file its parser did not accept, as (line, text, None) for a log
    view: error messages pasted around a listing are still evidence."""
    numbers = sorted({p.line for p in problems if p.line})[:MAX_UNPARSED_AS_LOG]
    if not numbers:
        return []
    lines = text.split("\n")
    return [(n, lines[n - 1], None) for n in numbers if 0 < n <= len(lines) and lines[n - 1].strip()]


_PREPARED: dict[int, tuple[KnowledgeBase, Matcher, dict[str, RunbookRef]]] = {}


STRONG_AT = 0.8  # a pattern some cause weighs this much (and not as a generic wording) survives the benign veto


def matcher_for(kb: KnowledgeBase) -> Matcher:
    """Every knowledge-base pattern and the lexicon's run-failed lines, with the veto rules."""
    strong = frozenset(s.pattern.key for c in kb.causes.values() for s in c.signals
                       if s.pattern is not None and s.weight >= STRONG_AT and not s.corroborate)
    patterns = kb.patterns() + [Pattern(RUN_FAILED, kb.lexicon.run_failed), Pattern(RUN_PASSED, kb.lexicon.run_passed)] \
        + [Pattern(key, regex) for key, regex in events.patterns()] + [Pattern(IN_LOG_KEY, IN_LOG_HINT)]
    return Matcher(patterns, veto=kb.lexicon.benign, strong=strong, never=kb.lexicon.not_evidence,
                   verdicts=frozenset({RUN_FAILED}))


def _prepared(kb: KnowledgeBase) -> tuple[Matcher, dict[str, RunbookRef]]:
    """The compiled patterns and the runbook index, made once per knowledge base (a night of
    runs shares them)."""
    known = _PREPARED.get(id(kb))
    if known is None or known[0] is not kb:
        refs = {rid: book.ref for rid, book in load_runbooks(kb.runbook_dirs).items()}
        known = _PREPARED[id(kb)] = (kb, matcher_for(kb), refs)
    return known[1], known[2]


RETRIES_FAILED = 3  # lines announcing a retry of the same failure in one log: the retries are not getting through


def _past_retries(hits: Hits, retry: str) -> Hits:
    """Without the hits on lines that announce a retry ("..., will retry later"), unless the same
    pattern's retries come RETRIES_FAILED times in that log: one is a hiccup the run lived through,
    a retry loop that never gets through is the failure."""
    if not retry:
        return hits
    announced = text_pattern(retry)
    retries = Counter((h.key, h.source) for kept in hits.by_key.values() for h in kept if announced.search(h.text))
    if not retries or all(n >= RETRIES_FAILED for n in retries.values()):
        return hits
    kept, _ = hits.without(lambda h: retries.get((h.key, h.source), 0) < RETRIES_FAILED and bool(announced.search(h.text)))
    return kept


TAIL_LINES = 1000  # the most lines at a log's end read for its error-level lines


def _error_tail(log: LogText, error_level: str) -> tuple[tuple[int, str], ...]:
    """(line, text) of the error-level lines near the log's end (rank.NEAR_END or its last tenth,
    at most TAIL_LINES): what shows whether a failure near the end was the run's last."""
    data = log.data
    total = log.line_breaks + (0 if data.endswith(b"\n") or not data else 1)
    want = min(max(NEAR_END, (log.lines_before + total) // 10), TAIL_LINES, total)
    start = len(data) - 1 if data.endswith(b"\n") else len(data)
    for _ in range(want):
        start = data.rfind(b"\n", 0, start)
        if start < 0:
            break
    first = total - want + 1
    pattern = text_pattern(error_level)
    lines = data[start + 1:].decode("utf-8", "replace").split("\n")[:want]
    return tuple((log.original_line(first + i), text) for i, text in enumerate(lines) if pattern.search(text))


PASSED_RUN_DISCOUNT = 0.45  # confidences in a run that says it passed stay below EXPLAINED_AT


def _run_passed(hits: Hits):
    """The line where the run says it succeeded, if every log's last outcome line is a success."""
    passed = None
    for (key, source), hit in hits.last.items():
        if key != RUN_PASSED and key != RUN_FAILED:
            continue
        failed, ok = hits.last.get((RUN_FAILED, source)), hits.last.get((RUN_PASSED, source))
        if ok is None or (failed is not None and failed.line >= ok.line):
            return None
        passed = ok
    return passed


def explain_run(run: Run, kb: KnowledgeBase, user: str | None = None, good: Run | None = None,
                good_sources: tuple[str, ...] = (), all_unusual: bool = True) -> Explanation:
    """all_unusual=False: the lines that stand out only where a renderer shows them (no top
    cause at SHOW_UNUSUAL_BELOW or more), as the terminal, Markdown and GitHub output do: in a
    big log they are a good part of the time (its last 50,000 lines profiled and mined)."""
    patterns = kb.patterns()
    matcher, runbooks = _prepared(kb)
    logs, hits = [], Hits()
    for log in run.logs:
        log, found = matcher.scan_file(log)
        logs.append(log)
        hits.merge(found)
    counted = {log.source: log.lines_before + log.line_count for log in logs if log.head is not None}  # a big file
    sessions = {h.source for h in hits.get(IN_LOG_KEY)}
    if sessions:  # a terminal session pasted into a log: `$ groups`, `$ id USER`
        records = SnapshotRecords()
        records.extend(run.records)
        for log in logs:
            if log.source in sessions:
                records.extend(records_in_log(log))
        run = replace(run, records=records)
        hits = hits.without(lambda h: h.key == IN_LOG_KEY)[0]
    run = replace(run, logs=logs, infos=[replace(i, lines=counted[i.source]) if i.kind == "log" and i.source in counted
                                         else i for i in run.infos])
    hits = _past_retries(hits, kb.lexicon.retry_announced)
    seen_count = 0
    if good is not None:  # what the passing run printed too is no evidence
        seen = seen_before(good_lines(good.logs), [h.text for kept in hits.by_key.values() for h in kept])
        hits, seen_count = hits.without(lambda h: h.text in seen)
    found = events.extract(hits)
    access_hits = [(h, p.access) for p in patterns if p.access for h in hits.get(p.key)]
    ctx = build_context(Snapshot(run.records), user, access_hits, kb.lexicon,
                        Snapshot(good.records) if good is not None else None, tuple(found))
    facts = derive_facts(ctx)
    findings = rank(kb, hits, facts, runbooks, {i.source: i.lines for i in run.infos if i.kind == "log"}, tuple(found),
                    {log.source: _error_tail(log, kb.lexicon.error_level) for log in logs})
    passed = _run_passed(hits)
    if passed is not None:  # the log says the run succeeded: what it printed on the way is no cause
        findings = [replace(f, confidence=round(f.confidence * PASSED_RUN_DISCOUNT, 3)) for f in findings]
        run = replace(run, infos=[replace(i, problems=i.problems + (Problem(
            i.source, "the log says the run succeeded: no cause found in it counts as confident", passed.line),))
            if i.source == passed.source else i for i in run.infos])
    explained = bool(findings) and findings[0].confidence >= EXPLAINED_AT
    unusual = all_unusual or not findings or findings[0].confidence < SHOW_UNUSUAL_BELOW
    report = None
    if good is not None:
        report = BaselineReport(good_sources, tuple(new_lines(run.logs, good.logs, kb.lexicon)),
                                tuple((text, len(items)) for text, items in summaries(ctx.changes)), seen_count)
    return Explanation(
        verdict="explained" if explained else "unexplained",
        findings=tuple(findings),
        inputs=tuple(run.infos),
        unusual_lines=tuple(unusual_lines(run.logs, kb.lexicon)) if unusual else (),
        account=ctx.service,
        kb_causes=len(kb.causes),
        kb_version=kb.version,
        facts=tuple(facts.values()),
        baseline=report,
        events=tuple(found),
        hypotheses=() if explained else tuple(hypotheses(ctx, tuple(found))),
    )
