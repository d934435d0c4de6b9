"""`--format json`: schema faultlens.explain/1 (src/faultlens/schemas/explain.schema.json, `faultlens schema explain`)."""

from __future__ import annotations

import json

from faultlens.model import BaselineReport, Evidence, Explanation, Finding

SCHEMA = "faultlens.explain/1"


def _evidence(ev: Evidence) -> dict:
    out = {"source": ev.source, "line": ev.line, "text": ev.text, "signal": ev.signal}
    if ev.context:
        out["context"] = ev.context
    return out


def _cause(f: Finding) -> dict:
    return {
        "id": f.id,
        "title": f.title,
        "category": f.category,
        "confidence": f.confidence,
        "summary": f.summary,
        "evidence": [_evidence(e) for e in f.evidence],
        "against": [_evidence(e) for e in f.against],
        "runbook": {"id": f.runbook.id, "title": f.runbook.title, "path": f.runbook.path} if f.runbook else None,
        "next_steps": list(f.next_steps),
    }


def _baseline(b: BaselineReport) -> dict:
    return {
        "sources": list(b.sources),
        "new_lines": [{"source": u.source, "line": u.line, "text": u.text} for u in b.new_lines],
        "snapshot_changes": [{"summary": text, "count": count} for text, count in b.changes],
        "lines_seen_in_passing_run": b.hits_seen_before,
    }


def _event(e) -> dict:
    return {"op": e.op, "errno": e.errno, "object": e.object, "speaker": e.speaker, "source": e.source, "line": e.line}


def _hypothesis(h) -> dict:
    return {"id": h.id, "title": h.title, "why": h.why, "check": h.check}


def document(result: Explanation, top: int) -> dict:
    """The document src/faultlens/schemas/explain.schema.json describes (tests validate it)."""
    return {
        "schema": SCHEMA,
        "verdict": result.verdict,
        "causes": [_cause(f) for f in result.findings[:top]],
        "inputs": [
            {"source": i.source, "kind": i.kind, "format": i.format, "lines": i.lines,
             "problems": [{"line": p.line, "reason": p.reason} for p in i.problems]}
            for i in result.inputs
        ],
        "events": [_event(e) for e in result.events],
        "hypotheses": [_hypothesis(h) for h in result.hypotheses],
        "unusual_lines": [{"source": u.source, "line": u.line, "text": u.text} for u in result.unusual_lines],
        "service_account": {"name": result.account.name, "how": result.account.how},
        **({"baseline": _baseline(result.baseline)} if result.baseline else {}),
        "knowledge_base": {"causes": result.kb_causes, "version": result.kb_version},
    }


def render(result: Explanation, top: int) -> str:
    return json.dumps(document(result, top), indent=2, ensure_ascii=False) + "\n"
