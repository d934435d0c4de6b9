"""The report's LazyFrame builders on small frames."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from faultlens.report import tables


def rows():
    base = {"kb_version": "v", "path": "p"}
    return tables.frame([
        {**base, "run": "r1", "host": "h1", "release": "b-1", "started_at": "2026-11-24T20:00:00", "status": "pass"},
        {**base, "run": "r2", "host": "h1", "release": "b-1", "started_at": "2026-11-24T21:00:00", "status": "explained",
         "rank": 1, "cause": "disk-full", "confidence": 0.9},
        {**base, "run": "r3", "host": "h2", "release": "b-2", "started_at": "2026-11-25T03:00:00", "status": "explained",
         "rank": 1, "cause": "umask-restrictive-package", "confidence": 0.99},
        {**base, "run": "r3", "host": "h2", "release": "b-2", "started_at": "2026-11-25T03:00:00", "status": "explained",
         "rank": 2, "cause": "wrong-owner", "confidence": 0.6},
        {**base, "run": "r4", "host": "h3", "release": "b-2", "started_at": "2026-11-25T03:10:00", "status": "explained",
         "rank": 1, "cause": "umask-restrictive-package", "confidence": 0.99},
        {**base, "run": "r5", "host": "h3", "release": "b-1", "started_at": "2026-11-24T22:00:00", "status": "unexplained",
         "signature": ["CRC 0x1 rejected", "boot"], "signature_templates": ["CRC <hex> rejected", "boot"]},
        {**base, "run": "r6", "status": "error", "error": "corrupt gzip data"},
    ]).lazy()


def test_totals():
    assert tables.totals(rows()).collect().to_dicts() == [
        {"runs": 6, "failing": 4, "explained": 3, "unexplained": 1, "passed": 1, "errors": 1}]


def test_by_cause_counts_top_causes_only():
    got = tables.by_cause(rows()).select("cause", "runs", "hosts", "share").collect()
    want = pl.DataFrame({"cause": ["umask-restrictive-package", "disk-full"], "runs": [2, 1], "hosts": [2, 1],
                         "share": [0.5, 0.25]}, schema_overrides={"runs": pl.UInt32, "hosts": pl.UInt32})
    assert_frame_equal(got, want)


def test_release_correlation():
    got = tables.release_correlation(rows()).select("cause", "release", "after", "before", "release_is_new").collect()
    want = pl.DataFrame({"cause": ["umask-restrictive-package", "disk-full"], "release": ["b-2", "b-1"],
                         "after": [2, 1], "before": [0, 0], "release_is_new": [True, False]},
                        schema_overrides={"after": pl.UInt32, "before": pl.UInt32})
    assert_frame_equal(got, want)


def test_clusters_and_places():
    clusters = tables.clusters(rows()).collect().to_dicts()
    assert clusters[0] == {"template": "CRC <hex> rejected", "runs": ["r5"], "example": "CRC 0x1 rejected", "count": 1}
    hosts = tables.by_place(rows(), "host").collect().to_dicts()
    assert {"host": "h3", "cause": "(unexplained)", "runs": 1} in hosts
    assert {"host": "h2", "cause": "umask-restrictive-package", "runs": 1} in hosts


def test_failing_runs_one_row_each_with_their_line():
    got = tables.failing(rows()).select("run", "cause", "release", "evidence_text").collect()
    want = pl.DataFrame({"run": ["r5", "r2", "r3", "r4"], "cause": ["(unexplained)", "disk-full", "umask-restrictive-package",
                                                                   "umask-restrictive-package"],
                         "release": ["b-1", "b-1", "b-2", "b-2"], "evidence_text": ["CRC 0x1 rejected", None, None, None]})
    assert_frame_equal(got, want)


def test_shares_count_unexplained_failures_last():
    got = tables.shares(rows()).collect()
    want = pl.DataFrame({"cause": ["umask-restrictive-package", "disk-full", "(unexplained)"], "runs": [2, 1, 1]},
                        schema_overrides={"runs": pl.UInt32})
    assert_frame_equal(got, want)


def test_a_run_without_release_is_no_release():
    lf = tables.frame([{"run": "r1", "path": "p", "kb_version": "v", "status": "explained", "rank": 1, "cause": "disk-full",
                        "started_at": "2026-11-24T20:00:00"}]).lazy()
    assert tables.by_release(lf).collect().to_dicts() == [{"release": "(no release)", "cause": "disk-full", "runs": 1}]
    [corr] = tables.release_correlation(lf).collect().to_dicts()
    assert (corr["release"], corr["runs"], corr["on_release"]) == ("(no release)", 1, 1)


def test_problems_one_row_per_problem_in_order():
    lf = tables.frame([{"run": "r2", "path": "p", "kb_version": "v", "status": "pass", "problems": ["b", "a"]},
                       {"run": "r1", "path": "p", "kb_version": "v", "status": "pass", "problems": ["c"]},
                       {"run": "r3", "path": "p", "kb_version": "v", "status": "pass"}]).lazy()
    assert tables.problems(lf).collect().rows() == [("r1", "c"), ("r2", "b"), ("r2", "a")]
