"""Every cause's own examples: positives rank it first, negatives do not (what `kb test` runs)."""

from __future__ import annotations

import pytest

from faultlens.kb.loader import load_kb
from faultlens.kbtools import run_example

_KB = load_kb()
CASES = [(cause.id, ex) for cause in _KB.causes.values() for ex in cause.examples]


@pytest.mark.parametrize("cause_id, example", CASES, ids=[f"{c}:{'+' if e.positive else '-'}:{e.name[:40]}" for c, e in CASES])
def test_example(cause_id, example):
    result = run_example(_KB, _KB.causes[cause_id], example)
    assert result.passed, f"got {result.got[:3]}"


@pytest.mark.parametrize("cause_id", sorted(_KB.causes))
def test_each_cause_has_examples_both_ways(cause_id):
    examples = _KB.causes[cause_id].examples
    assert sum(e.positive for e in examples) >= 3
    assert sum(not e.positive for e in examples) >= 2
