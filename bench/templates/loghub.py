"""Loghub-2k, as the template-mining benchmark reads it: (system, messages, ground-truth groups).

The data stays in ../shared/corpus/data/loghub-2k (see its SOURCE.md for the citation and
licence); nothing of it is copied into the repository.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

# ../shared/corpus next to the repository, or wherever LOGHUB_2K says
ROOT = Path(os.environ.get("LOGHUB_2K") or
            Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "data" / "loghub-2k")


def systems(root: Path = ROOT) -> list[str]:
    if not root.is_dir():
        raise SystemExit(f"{root}: Loghub-2k not found (set LOGHUB_2K to the folder of its systems)")
    return sorted(p.name for p in root.iterdir() if p.is_dir())


def load(system: str, root: Path = ROOT) -> tuple[list[str], list[str]]:
    """The messages (the Content column) and their ground-truth group: the corrected template
    (Loghub 2.0's revision) where the system has one, the original EventId otherwise."""
    folder = root / system
    corrected = folder / f"{system}_2k.log_structured_corrected.csv"
    path, key = (corrected, "EventTemplate") if corrected.exists() else (folder / f"{system}_2k.log_structured.csv", "EventId")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["Content"] for r in rows], [r[key] for r in rows]


def grouping_accuracy(truth: list[str], predicted: list) -> float:
    """Share of messages whose predicted group holds exactly the messages of their true group."""
    members_true: dict[str, set[int]] = {}
    members_pred: dict[object, set[int]] = {}
    for i, (t, p) in enumerate(zip(truth, predicted)):
        members_true.setdefault(t, set()).add(i)
        members_pred.setdefault(p, set()).add(i)
    right = sum(len(m) for m in members_pred.values() if members_true[truth[next(iter(m))]] == m)
    return right / len(truth)
