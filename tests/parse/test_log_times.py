"""Time stamps with a zone are moments: lines from hosts in different zones compare in UTC."""

from __future__ import annotations

from datetime import datetime

import pytest

from faultlens.parse.logs import line_time
from tests.conftest import explain_texts


@pytest.mark.parametrize("line, utc", [
    ("2026-11-25T03:18:29Z station-01 executive[1513]: ERROR", datetime(2026, 11, 25, 3, 18, 29)),
    ("2026-11-25T06:18:29+03:00 station-01 executive: ERROR", datetime(2026, 11, 25, 3, 18, 29)),
    ("2026-11-25T08:48:29.125+0530 station-01 executive: ERROR", datetime(2026, 11, 25, 3, 18, 29)),
    ("2026-11-24 22:18:29 -0500 station-01 ERROR", datetime(2026, 11, 25, 3, 18, 29)),
    ("2024-05-02T10:14:52.1000000Z Killed", datetime(2024, 5, 2, 10, 14, 52)),
    ("2026-11-25 03:18:29 station-01 no zone: taken as written", datetime(2026, 11, 25, 3, 18, 29)),
])
def test_a_zone_is_applied(line, utc):
    assert line_time(line) == utc


def _relation_fired(kb, expanded: str, failed: str) -> bool:
    result = explain_texts(kb, {
        "deploy.log": f"{expanded} deploy-host deploy[200]: release base-4.2.0 expanded into /opt/ts/releases\n",
        "station.log": f"{failed} station-01 executive[1513]: ERROR GENERIC FAILURE: station not ready (code 0x2001)\n",
    })
    signals = {e.signal for f in result.findings if f.id == "umask-restrictive-package" for e in f.evidence}
    return "generic-failure-after-expand" in signals


def test_failure_within_2_h_after_the_release_holds_across_zones(kb):
    # expanded at 02:00 UTC (05:00 in +03:00), failed at 03:30 UTC: read naively the failure
    # would come 1.5 h *before* the release
    assert _relation_fired(kb, "2026-11-25T05:00:00+03:00", "2026-11-25T03:30:00Z")


def test_a_failure_4_h_later_in_utc_is_not_within_2_h(kb):
    # expanded at 01:00 UTC, failed at 05:00 UTC (02:00 in -03:00): naively only 1 h later
    assert not _relation_fired(kb, "2026-11-25T01:00:00+00:00", "2026-11-25T02:00:00-03:00")


def test_the_same_zone_without_offsets_still_relates(kb):
    assert _relation_fired(kb, "2026-11-25T02:00:00", "2026-11-25T03:30:00")
