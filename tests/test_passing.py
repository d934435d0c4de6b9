"""False positives: on logs of runs that went fine, no cause may be confident."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultlens.pipeline import explain
from faultlens.rank import EXPLAINED_AT

PASSING = sorted((Path(__file__).parent.parent / "samples" / "passing").glob("*.log"))


def test_there_are_passing_samples():
    assert len(PASSING) >= 5


@pytest.mark.parametrize("log", PASSING, ids=lambda p: p.name)
def test_no_confident_cause_on_a_passing_run(log: Path, kb):
    result = explain([str(log)], kb)
    assert result.verdict == "unexplained"
    assert [(f.id, f.confidence) for f in result.findings if f.confidence >= EXPLAINED_AT] == []
