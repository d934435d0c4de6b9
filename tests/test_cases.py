"""Golden end-to-end cases: each folder under tests/cases is one incident and its expected answer.

case.yaml keys: sample (use samples/<name> as the inputs), user, verdict, top, min_confidence,
max_confidence, evidence ([source suffix, line] pairs the top cause must cite), not_first,
category (of the top cause), causes (the exact list of cause ids), unusual_first ([source suffix, line]), context (of an evidence line of the top cause),
account.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from faultlens.pipeline import explain

CASES = Path(__file__).parent / "cases"
SAMPLES = Path(__file__).parent.parent / "samples"


def _inputs(folder: Path, spec: dict) -> list[str]:
    if "sample" in spec:
        return [str(SAMPLES / spec["sample"])]
    return [str(p) for p in sorted(folder.iterdir()) if p.name != "case.yaml"]


@pytest.mark.parametrize("folder", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_case(folder: Path, kb):
    spec = yaml.safe_load((folder / "case.yaml").read_text())
    result = explain(_inputs(folder, spec), kb, user=spec.get("user"))
    ids = [f.id for f in result.findings]
    assert result.verdict == spec["verdict"], ids
    if "causes" in spec:
        assert ids == spec["causes"]
    if "top" in spec:
        assert ids and ids[0] == spec["top"], [(f.id, f.confidence) for f in result.findings]
        top = result.findings[0]
        assert top.confidence >= spec.get("min_confidence", 0.0)
        assert top.confidence < spec.get("max_confidence", 1.01)
        cited = {(e.source, e.line) for e in top.evidence}
        for suffix, line in spec.get("evidence", []):
            assert any(s.endswith(suffix) and n == line for s, n in cited), (suffix, line, sorted(cited))
    if "category" in spec:
        assert result.findings and result.findings[0].category == spec["category"], ids
    for other in spec.get("not_first", []):
        assert ids[:1] != [other]
    if "unusual_first" in spec:
        suffix, line = spec["unusual_first"]
        first = result.unusual_lines[0]
        assert first.source.endswith(suffix) and first.line == line
    if "context" in spec:
        assert spec["context"] in {e.context for e in result.findings[0].evidence}
    if "account" in spec:
        assert result.account.name == spec["account"]
