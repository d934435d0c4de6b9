"""Loghub-2k, as the template-mining benchmark reads it: (system, messages, ground-truth groups).

The data stays in ../shared/corpus/data/loghub-2k (see its SOURCE.md for the citation and
licence); nothing of it is copied into the repository.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path



def _default_root() -> Path:
    """shared/corpus/data/loghub-2k beside the repository or beside any folder above it (a git
    worktree sits one level deeper than the checkout)."""
    here = Path(__file__).resolve().parents[2]
    for up in (here, *here.parents):
        candidate = up.parent / "shared" / "corpus" / "data" / "loghub-2k"
        if candidate.is_dir():
            return candidate
    return here.parent / "shared" / "corpus" / "data" / "loghub-2k"


# wherever LOGHUB_2K says, or ../shared/corpus next to the repository
ROOT = Path(os.environ.get("LOGHUB_2K") or _default_root())


def systems(root: Path = ROOT) -> list[str]:
    if not root.is_dir():
        raise SystemExit(f"{root}: Loghub-2k not found (set LOGHUB_2K to the folder of its systems)")
    return sorted(p.name for p in root.iterdir() if p.is_dir())


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load(system: str, root: Path = ROOT, truth: str = "corrected") -> tuple[list[str], list[str]]:
    """The messages (the Content column) and their ground-truth group. truth="corrected": the
    template of Loghub 2.0's revision (Khan et al., ICSE 2022) where the system has one, the
    original EventId otherwise (Windows); truth="original": the original EventId."""
    folder = root / system
    corrected = folder / f"{system}_2k.log_structured_corrected.csv"
    if truth == "corrected" and corrected.exists():
        rows, key = _rows(corrected), "EventTemplate"
    else:
        rows, key = _rows(folder / f"{system}_2k.log_structured.csv"), "EventId"
    return [r["Content"] for r in rows], [r[key] for r in rows]


def has_corrected(system: str, root: Path = ROOT) -> bool:
    return (root / system / f"{system}_2k.log_structured_corrected.csv").exists()


def _members(labels: list) -> dict[object, frozenset[int]]:
    out: dict[object, set[int]] = {}
    for i, label in enumerate(labels):
        out.setdefault(label, set()).add(i)
    return {k: frozenset(v) for k, v in out.items()}


def scores(truth: list[str], predicted: list) -> tuple[float, float]:
    """(GA, FGA) of a grouping against the ground truth.

    GA (Zhu et al., ICSE-SEIP 2019): the share of messages whose predicted group holds exactly
    the messages of their true group.
    FGA (Jiang et al., "A Large-scale Evaluation for Log Parsing Techniques: How Far are We?",
    ISSTA 2024, Loghub-2.0): a predicted group is correct when its messages are exactly those
    of one true group; PGA = correct groups / predicted groups, RGA = correct groups / true
    groups, FGA = 2 * PGA * RGA / (PGA + RGA) (0 when no group is correct). GA weighs groups by
    their size, FGA counts each group once, so a rare message split off or merged costs as much
    as a frequent one."""
    true_groups = set(_members(truth).values())
    pred_groups = _members(predicted).values()
    correct = [m for m in pred_groups if m in true_groups]
    ga = sum(len(m) for m in correct) / len(truth)
    if not correct:
        return ga, 0.0
    p, r = len(correct) / len(pred_groups), len(correct) / len(true_groups)
    return ga, 2 * p * r / (p + r)


def grouping_accuracy(truth: list[str], predicted: list) -> float:
    """GA alone (see scores)."""
    return scores(truth, predicted)[0]
