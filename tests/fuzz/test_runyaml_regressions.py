"""Every run.yaml the fuzzer (fuzz_runyaml.py) crashed on, and its seeds, replayed: each must now
give bounded fields and problems, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultlens.report.runs import MAX_FIELD, METADATA_FIELDS, run_metadata

HERE = Path(__file__).parent
CASES = sorted([*(HERE / "regressions-runyaml").glob("*"), *(HERE / "seeds-runyaml").glob("*")])


def test_there_are_cases():
    assert len(CASES) >= 6


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_runyaml_case(case: Path):
    meta, problems = run_metadata(case.read_bytes())
    assert set(meta) <= set(METADATA_FIELDS)
    assert all(isinstance(v, str) and 0 < len(v) <= MAX_FIELD + 1 for v in meta.values())
    assert all(p.startswith("run.yaml: ") for p in problems)
