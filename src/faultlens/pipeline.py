"""explain(inputs) -> Explanation. Reads, sniffs, parses, matches, reasons, ranks; never prints."""

from __future__ import annotations

from faultlens.facts import build_context, derive_facts
from faultlens.facts.snapshot import Snapshot
from faultlens.ingest.decode import to_text
from faultlens.ingest.sniff import sniff
from faultlens.ingest.sources import Blob, InputError, read_inputs
from faultlens.kb.model import KnowledgeBase
from faultlens.match import Hits, Matcher
from faultlens.model import Explanation, InputInfo, Problem
from faultlens.parse import snapshot_parser
from faultlens.parse.logs import LogText
from faultlens.parse.structured import VIEWS
from faultlens.parse.records import SnapshotRecords
from faultlens.rank import EXPLAINED_AT, rank
from faultlens.runbooks import load_runbooks
from faultlens.unusual import unusual_lines

SNIFF_BYTES = 1 << 16


def explain(inputs: list[str], kb: KnowledgeBase, user: str | None = None, stdin=None) -> Explanation:
    blobs, problems = read_inputs(inputs, stdin)
    if not blobs:
        reason = "; ".join(f"{p.source}: {p.reason}" for p in problems) or "no input given"
        raise InputError(f"nothing could be read ({reason})")
    return explain_blobs(blobs, problems, kb, user)


def explain_blobs(blobs: list[Blob], problems: list[Problem], kb: KnowledgeBase, user: str | None = None) -> Explanation:
    logs: list[LogText] = []
    records = SnapshotRecords()
    infos = [InputInfo(p.source, "unreadable", "-", 0, (p,)) for p in problems]
    for blob in blobs:
        kind = sniff(blob.source, blob.data, to_text(blob.data[:SNIFF_BYTES]))
        if kind.kind == "log":
            log = VIEWS[kind.format](blob.source, blob.data)
            logs.append(log)
            infos.append(InputInfo(blob.source, "log", kind.format, log.line_count))
        elif kind.kind == "snapshot":
            parsed = snapshot_parser(kind.format)(to_text(blob.data), blob.source)
            records.extend(parsed)
            infos.append(InputInfo(blob.source, "snapshot", kind.format, parsed.lines, tuple(parsed.problems)))
        elif kind.kind == "skipped":
            infos.append(InputInfo(blob.source, "skipped", kind.format, 0,
                                   (Problem(blob.source, f"{kind.format} file skipped"),)))
        else:
            infos.append(InputInfo(blob.source, kind.kind, kind.format, blob.data.count(b"\n")))

    patterns = kb.patterns()
    matcher = Matcher(patterns, veto=kb.lexicon.benign)
    hits = Hits()
    for log in logs:
        matcher.scan(log, hits)
    access_hits = [(h, p.access) for p in patterns if p.access for h in hits.get(p.key)]
    ctx = build_context(Snapshot(records), user, access_hits, kb.lexicon)
    facts = derive_facts(ctx)
    runbooks = {rid: book.ref for rid, book in load_runbooks(kb.runbook_dirs).items()}
    findings = rank(kb, hits, facts, runbooks)
    explained = bool(findings) and findings[0].confidence >= EXPLAINED_AT
    return Explanation(
        verdict="explained" if explained else "unexplained",
        findings=tuple(findings),
        inputs=tuple(infos),
        unusual_lines=tuple(unusual_lines(logs, kb.lexicon)) if not explained else (),
        account=ctx.service,
        kb_causes=len(kb.causes),
        kb_version=kb.version,
        facts=tuple(facts.values()),
    )
