"""The matcher: one combined scan, exact line numbers, CI prefixes, benign lines vetoed."""

from __future__ import annotations

from faultlens.kb.model import Pattern
from faultlens.match import Hits, Matcher
from faultlens.parse.logs import LogText, line_time


def scan(patterns, text: bytes, veto=None) -> Hits:
    hits = Hits()
    Matcher([Pattern(k, r) for k, r in patterns], veto=veto).scan(LogText.from_bytes("x.log", text), hits)
    return hits


def test_line_numbers_and_every_pattern_on_a_line():
    hits = scan([("a", "disk full"), ("b", "(?i)DISK")], b"ok\nno\ndisk full now\nDisk again\n")
    assert [(h.line, h.text) for h in hits.get("a")] == [(3, "disk full now")]
    assert [h.line for h in hits.get("b")] == [3, 4]


def test_anchored_pattern_admits_ci_timestamp_prefixes():
    text = (b"2024-01-01T00:00:00.1234567Z Killed\n[12:00:00] Killed\nKilled\nnot Killed\n")
    assert [h.line for h in scan([("k", "^Killed$")], text).get("k")] == [1, 2, 3]


def test_benign_lines_are_no_evidence():
    hits = scan([("d", "denied")], b"denied=0 retries=0\naccess denied\n", veto=r"denied=0")
    assert [h.line for h in hits.get("d")] == [2]


def test_counts_go_on_beyond_the_kept_hits():
    hits = scan([("e", "ERR")], b"ERR\n" * 500)
    assert hits.counts["e"] == 500 and len(hits.get("e")) == 200


def test_line_time_forms():
    assert line_time("2026-11-25T03:08:02Z x").isoformat() == "2026-11-25T03:08:02"
    assert line_time("Nov 25 04:10:01 host7 app[1]: x").strftime("%b %d %H:%M:%S") == "Nov 25 04:10:01"
    assert line_time("[03:12:44] ERROR") is not None
    assert line_time("no time here") is None


def test_every_anchor_admits_a_ci_prefix_but_classes_are_left_alone():
    from faultlens.kb.patterns import CI_PREFIX, for_engine

    shown = lambda p: for_engine(p).replace(CI_PREFIX, "<P>")  # noqa: E731
    assert shown(r"(?i)^a|b|^c") == "(?i)^<P>a|b|^<P>c"
    assert shown(r"[^^]x\^") == r"[^^]x\^"
    assert shown(r"[^]^]q^") == "[^]^]q^<P>"
