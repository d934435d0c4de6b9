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
