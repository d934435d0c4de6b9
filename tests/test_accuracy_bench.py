"""The accuracy benchmark's guarantees on real material (bench/accuracy; figures in bench/README.md).

Needs the shared corpus beside the repository (../shared/corpus/data, as CI lays it out).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from msgspec.structs import replace

BENCH = Path(__file__).resolve().parent.parent / "bench" / "accuracy"
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402
import run as accuracy  # noqa: E402

pytestmark = pytest.mark.skipif(not corpus.DATA.is_dir(), reason=f"the shared corpus is not at {corpus.DATA}")


@pytest.fixture(scope="module")
def kb():
    from faultlens.kb.loader import load_kb

    return load_kb()


def test_no_cause_reaches_half_on_a_real_passing_log_or_an_ordinary_line(kb):
    """CiDiff's passing side, Loghub-2k, samples/passing and every ordinary line of the audit's H2 table."""
    assert len(corpus.passing_logs()) >= 38 and len(corpus.ORDINARY) == 13
    assert accuracy.false_alarms(kb) == []


def test_whole_real_failing_logs_are_right_or_unexplained_and_show_the_failure(kb):
    whole = accuracy.run_whole(kb)
    cidiff = [o for o in whole if o.case.get("truth")]
    assert len(cidiff) == 22
    assert [o.case["id"] for o in cidiff if o.confident_wrong] == []
    assert sum(bool(accuracy.truth_in_shown(o)) for o in cidiff) >= 18
    assert sum(o.confident_wrong for o in whole) <= 1  # of 45 whole logs (bench/README.md names the one)


def test_the_one_ordinary_line_probe_does_not_move_the_synthetic_table(kb):
    plain, probed = accuracy.rates(accuracy.run_synthetic(kb)), accuracy.rates(accuracy.run_synthetic(kb, probe=True))
    assert plain["top1"] >= 0.95 and plain["confident_wrong_n"] == 0
    assert plain["top1"] - probed["top1"] <= 0.03 and probed["confident_wrong_n"] == 0


def test_the_shipped_calibration_map_is_a_refit(kb):
    """Refit on the tuning half (identity where a knot has fewer than 20 points): what ships."""
    assert accuracy.fit(accuracy.tune_points(kb)) == list(kb.calibration)


def test_the_shipped_base_rates_are_the_tuning_half_counts(kb):
    """Weak causes that tie are ordered by these counts: the tuning half's, never the held-out's."""
    assert accuracy.base_rates() == dict(kb.base_rates)
    tune = [c for c in corpus.real_cases() if c["split"] == "tune" and not c.get("passing") and c["label"] != "unexplained"]
    assert sum(accuracy.base_rates().values()) == len(tune)


def test_fit_is_monotone_keeps_the_identity_without_data_and_never_promotes_weak_evidence():
    assert accuracy.fit([(0.6, True)] * 5) == []  # 5 points: not enough to move a knot
    knots = dict(accuracy.fit([(0.4, True)] * 30 + [(0.6, False)] * 25 + [(0.8, False)] * 15 + [(0.8, True)] * 10))
    assert list(knots) == sorted(knots) and list(knots.values()) == sorted(knots.values())
    assert knots[0.4] <= 0.4  # weak evidence is never promoted, however often it was right
    assert knots[0.6] < 0.5 and knots[0.8] < 0.5  # mostly wrong: no longer explained
    assert knots[0.9] == 0.9  # no points there: the identity
    low = dict(accuracy.fit([(0.3, False)] * 40))
    assert low[0.3] < 0.05 and low[0.6] == 0.6  # weak evidence that is mostly wrong is demoted further


def test_the_real_cases_are_split_by_thread_and_cited_threads_are_in_sample():
    cases = corpus.real_cases()
    assert len(cases) >= 300 and len({c["ecosystem"] for c in cases}) >= 12
    by_thread: dict[str, set[str]] = {}
    for c in cases:
        by_thread.setdefault(corpus._thread(c["source"]), set()).add(c["split"])
    assert all(len(splits) == 1 for splits in by_thread.values())
    assert all(corpus._thread(c["source"]) in corpus.cited_threads() for c in cases if c["split"] == "in-sample")


def test_the_bench_explains_with_the_calibration_map_it_is_given(kb):
    halved = replace(kb, calibration=((0.0, 0.0), (1.0, 0.5)))  # no refit of the shipped map can look like this one
    case = {"id": "t", "label": "disk-full", "format": "plain", "lines": ["OSError: [Errno 28] No space left on device"]}
    files = {k: v.encode() for k, v in __import__("synthetic").build(case).items()}
    assert accuracy.explain(files, halved).findings[0].confidence <= 0.5 < accuracy.explain(files, kb).findings[0].confidence


def test_kb_lint_passing_finds_no_confident_cause_on_loghub_and_the_real_passing_logs():
    import subprocess

    logs = sorted(corpus.DATA.glob("loghub-2k/*/*_2k.log")) + sorted(corpus.DATA.glob("cidiff-breakages/*/pass.log"))
    args = [a for log in logs for a in ("--passing", str(log))]
    out = subprocess.run([sys.executable, "-m", "faultlens", "kb", "lint", *args, "--passing", "samples/passing"],
                         capture_output=True, text=True, cwd=BENCH.parent.parent, timeout=600)
    assert [line for line in out.stdout.splitlines() if line.startswith("error:")] == []
    assert out.returncode == 0, out.stdout + out.stderr
