"""What changed since the previous report: history kept in the output folder."""

from __future__ import annotations

import json
from pathlib import Path

HISTORY = "history.json"
KEEP = 400  # nights kept
GROWTH = 1.5  # a cause "grew" when it has at least this many times its previous count (and 2 more)


def load(out_dir: Path) -> list[dict]:
    path = out_dir / HISTORY
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    return data if isinstance(data, list) else []


def changes(previous: dict | None, counts: dict[str, int]) -> dict:
    """New causes, causes that grew, causes that disappeared, against the previous report."""
    if previous is None:
        return {"previous": None, "new": [], "grew": [], "gone": []}
    before: dict[str, int] = previous.get("by_cause", {})
    return {
        "previous": previous.get("generated_at"),
        "new": sorted(c for c in counts if c not in before),
        "grew": sorted(c for c, n in counts.items() if c in before and n >= before[c] * GROWTH and n >= before[c] + 2),
        "gone": sorted(c for c in before if c not in counts),
        "counts_before": before,
    }


def appended(history: list[dict], entry: dict) -> list[dict]:
    return (history + [entry])[-KEEP:]
