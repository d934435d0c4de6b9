"""The accuracy benchmark's targets hold (a regression guard; the figures are in the README)."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent.parent / "bench" / "accuracy"
sys.path.insert(0, str(BENCH))

import run as accuracy  # noqa: E402


def test_accuracy_targets():
    cases = yaml.safe_load((BENCH / "cases.yaml").read_text())
    summary = accuracy.summarize(accuracy.run(cases))
    assert summary["cases"] >= 60 and summary["causes_covered"] == 26
    assert summary["top1"] >= 0.95
    assert summary["top3"] == 1.0
    assert summary["false_confident_rate"] == 0.0


def test_calibration_fit_is_monotone_and_never_promotes_weak_evidence():
    knots = accuracy.fit([(0.45, True)] * 10 + [(0.6, True)] * 10 + [(0.8, False)] * 2 + [(0.8, True)] * 8)
    xs, ys = zip(*knots)
    assert list(xs) == sorted(xs) and list(ys) == sorted(ys)
    assert accuracy.apply(knots, 0.45) == 0.45


def test_the_uncalibrated_run_that_fits_the_map_works():
    """`run.py --fit` explains the cases with the calibration map removed from the knowledge base."""
    cases = yaml.safe_load((BENCH / "cases.yaml").read_text())[:5]
    raw, calibrated = accuracy.run(cases, calibrated=False), accuracy.run(cases)
    assert [o.top[0] for o in raw] == [o.top[0] for o in calibrated]
    assert any(r.top[1] != c.top[1] for r, c in zip(raw, calibrated))  # the map was in effect, then not
