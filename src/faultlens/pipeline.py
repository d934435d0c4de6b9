"""explain(inputs) -> Explanation. Reads, sniffs, parses, matches, reasons, ranks; never prints."""

from __future__ import annotations

from contextlib import nullcontext

from msgspec import Struct, field
from msgspec.structs import replace

from faultlens.facts import build_context, derive_facts
from faultlens.facts.baseline import summaries
from faultlens.facts.snapshot import Snapshot
from faultlens.ingest.decode import nul_notes, to_text
from faultlens.ingest.sniff import sniff
from faultlens.ingest.sources import Blob, InputError, read_inputs
from faultlens.kb.model import KnowledgeBase
from faultlens.match import Hits, Matcher
from faultlens.model import BaselineReport, Explanation, InputInfo, Problem, RunbookRef
from faultlens.parse import snapshot_parser
from faultlens.parse.logs import LogText
from faultlens.parse.structured import VIEWS
from faultlens.parse.records import SnapshotRecords
from faultlens.rank import EXPLAINED_AT, rank
from faultlens.runbooks import load_runbooks
from faultlens.unusual import error_lines, good_lines, new_lines, seen_before, unusual_lines

SNIFF_BYTES = 1 << 16


class Run(Struct):
    """One run's inputs, read and sorted: logs, snapshot records, and what each input was."""

    logs: list[LogText] = field(default_factory=list)
    records: SnapshotRecords = field(default_factory=SnapshotRecords)
    infos: list[InputInfo] = field(default_factory=list)


def explain(inputs: list[str], kb: KnowledgeBase, user: str | None = None, stdin=None,
            baseline: list[str] | None = None) -> Explanation:
    """Explain a failure; with a passing run as baseline, only what is new counts."""
    run = _read_run(inputs, stdin, "")
    good = _read_run(baseline, None, "baseline: ") if baseline else None
    return explain_run(run, kb, user, good, tuple(baseline or ()))


def explain_blobs(blobs: list[Blob], problems: list[Problem], kb: KnowledgeBase, user: str | None = None) -> Explanation:
    return explain_run(read_blobs(blobs, problems), kb, user)


def _read_run(inputs: list[str], stdin, what: str) -> Run:
    blobs, problems = read_inputs(inputs, stdin)
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
        notes = nul_notes(blob.source, blob.data)
        if blob.head is not None:  # its lines are counted when the head is scanned
            log = replace(log, head=blob.head)
            notes = (blob.head.note(blob.source),) + notes
        run.logs.append(log)
        run.infos.append(InputInfo(blob.source, "log", kind.format, log.line_count, notes))
    elif kind.kind == "snapshot":
        parsed = snapshot_parser(kind.format)(to_text(blob.data), blob.source)
        run.records.extend(parsed)
        notes = (blob.head.snapshot_note(blob.source),) if blob.head is not None else ()
        run.infos.append(InputInfo(blob.source, "snapshot", kind.format, parsed.lines, notes + tuple(parsed.problems)))
    elif kind.kind == "skipped":
        run.infos.append(InputInfo(blob.source, "skipped", kind.format, 0,
                                   (Problem(blob.source, f"{kind.format} file skipped"),)))
    else:
        run.infos.append(InputInfo(blob.source, kind.kind, kind.format, blob.data.count(b"\n")))


_PREPARED: dict[int, tuple[KnowledgeBase, Matcher, dict[str, RunbookRef]]] = {}


def _prepared(kb: KnowledgeBase) -> tuple[Matcher, dict[str, RunbookRef]]:
    """The compiled patterns and the runbook index, made once per knowledge base (a night of
    runs shares them)."""
    known = _PREPARED.get(id(kb))
    if known is None or known[0] is not kb:
        refs = {rid: book.ref for rid, book in load_runbooks(kb.runbook_dirs).items()}
        known = _PREPARED[id(kb)] = (kb, Matcher(kb.patterns(), veto=kb.lexicon.benign), refs)
    return known[1], known[2]


def _scan(logs: list[LogText], matcher: Matcher) -> tuple[list[LogText], Hits]:
    """Every log's hits. A big file's head is scanned in worker processes while this one scans
    the end it holds; the end's lines are then numbered after the head's."""
    hits, scanned = Hits(), []
    big = any(log.head is not None for log in logs)
    if big:
        from faultlens.bigscan import HeadScans  # here: only a big file needs worker processes
    with HeadScans(matcher) if big else nullcontext() as heads:
        for log in logs:
            if log.head is None:
                matcher.scan(log, hits)
                scanned.append(log)
                continue
            head_result = heads.submit(log.head)
            end_hits = Hits()
            matcher.scan(log, end_hits)
            try:
                head_hits, head_lines = head_result()
            except OSError:  # the file went away while being read: what was held is still
                head_hits, head_lines = Hits(), 0  # explained, its lines counted from its start
            hits.merge(head_hits, 0, log.source)
            hits.merge(end_hits, head_lines)
            scanned.append(replace(log, lines_before=head_lines))
    return scanned, hits


def explain_run(run: Run, kb: KnowledgeBase, user: str | None = None, good: Run | None = None,
                good_sources: tuple[str, ...] = (), unusual: bool = True) -> Explanation:
    patterns = kb.patterns()
    matcher, runbooks = _prepared(kb)
    logs, hits = _scan(run.logs, matcher)
    before = {log.source: log.lines_before for log in logs if log.lines_before}
    run = replace(run, logs=logs, infos=[replace(i, lines=i.lines + before[i.source]) if i.kind == "log" and i.source in before
                                         else i for i in run.infos])
    seen_count, candidates, seen = 0, [], set()
    if good is not None:  # what the passing run printed too is no evidence
        candidates = error_lines(run.logs, kb.lexicon)
        texts = [h.text for kept in hits.by_key.values() for h in kept] + [c[2] for c in candidates]
        seen = seen_before(good_lines(good.logs), texts)
        hits, seen_count = hits.without(lambda h: h.text in seen)
    access_hits = [(h, p.access) for p in patterns if p.access for h in hits.get(p.key)]
    ctx = build_context(Snapshot(run.records), user, access_hits, kb.lexicon,
                        Snapshot(good.records) if good is not None else None)
    facts = derive_facts(ctx)
    findings = rank(kb, hits, facts, runbooks)
    explained = bool(findings) and findings[0].confidence >= EXPLAINED_AT
    report = None
    if good is not None:
        report = BaselineReport(good_sources, tuple(new_lines(candidates, seen)),
                                tuple((text, len(items)) for text, items in summaries(ctx.changes)), seen_count)
    return Explanation(
        verdict="explained" if explained else "unexplained",
        findings=tuple(findings),
        inputs=tuple(run.infos),
        unusual_lines=tuple(unusual_lines(run.logs, kb.lexicon)) if unusual and not explained else (),
        account=ctx.service,
        kb_causes=len(kb.causes),
        kb_version=kb.version,
        facts=tuple(facts.values()),
        baseline=report,
    )
