"""Every input the fuzzer ever crashed on, replayed: each must now explain cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultlens.ingest.sources import Blob, _expand
from faultlens.pipeline import explain_blobs

CASES = sorted((Path(__file__).parent / "regressions").glob("*"))
NAMES = ("station.log", "ls-lR.txt", "id.txt", "TEST-r.xml", "journal.json", "run.yaml", "bundle.tgz", "stat.txt")


def blobs_of(data: bytes) -> list[Blob]:  # the harness's split, without importing atheris
    out = []
    for part in data.split(b"\xfe\xff")[:3]:
        if part:
            out += [b for b in _expand(NAMES[part[0] % len(NAMES)], part[1:]) if isinstance(b, Blob)]
    return out


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_regression(case: Path, kb):
    blobs = blobs_of(case.read_bytes())
    if blobs:
        explain_blobs(blobs, [], kb)
