"""Real tool output kept as files under fixtures/, each citing where it came from."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
PROVENANCE = "#: "


def fixture_text(name: str) -> str:
    """A fixture's text without its provenance lines (`#: source: ...` at the top)."""
    lines = (FIXTURES / name).read_text(encoding="utf-8").split("\n")
    while lines and lines[0].startswith(PROVENANCE):
        lines.pop(0)
    return "\n".join(lines)


@pytest.fixture
def real():
    return fixture_text
