"""A failure announced with a retry: one such line is a hiccup, the same retry again and again is the failure."""

from __future__ import annotations

from faultlens.pipeline import explain

LINE = ("[WARNING] - [2025-04-10 22:24:48] - [connection] failed to connect to mysql server: db (message: dial tcp: "
        "lookup db on 127.0.0.53:53: server misbehaving), will retry in 5 seconds\n")


def test_one_retry_is_no_evidence(kb, tmp_path):
    log = tmp_path / "app.log"
    log.write_text(LINE)
    result = explain([str(log)], kb)
    assert result.verdict == "unexplained" and "dns-failure" not in [f.id for f in result.findings]


def test_a_retry_loop_that_never_gets_through_is_the_failure(kb, tmp_path):
    log = tmp_path / "app.log"
    log.write_text(LINE * 3)
    result = explain([str(log)], kb)
    assert result.verdict == "explained" and result.findings[0].id == "dns-failure"
