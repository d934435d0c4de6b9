"""Every input the fuzzer ever crashed on, replayed: each must now explain cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultlens.pipeline import explain_blobs
from tests.fuzz.split import blobs_of

CASES = sorted((Path(__file__).parent / "regressions").glob("*"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_regression(case: Path, kb):
    blobs = blobs_of(case.read_bytes())
    assert blobs, f"{case.name} splits into no input: the regression would not be replayed"
    explain_blobs(blobs, [], kb)
