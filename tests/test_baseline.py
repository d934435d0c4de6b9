"""explain --baseline: what the passing run also had is no evidence; what changed on disk is."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from faultlens.facts.baseline import compare, summaries
from faultlens.pipeline import explain
from tests.facts.test_trees_and_accounts import snapshot

ROOT = Path(__file__).resolve().parent.parent
GOOD, BAD = str(ROOT / "samples/baseline/passing"), str(ROOT / "samples/baseline/failing")


def test_generic_failure_is_explained_only_with_the_baseline(kb):
    alone = explain([BAD], kb)
    # its only alarming line is a warning that says it will retry: no evidence, with or without the baseline
    assert alone.verdict == "unexplained" and "connection-refused" not in [f.id for f in alone.findings]
    with_good = explain([BAD], kb, baseline=[GOOD])
    top = with_good.findings[0]
    assert (with_good.verdict, top.id) == ("explained", "missing-file")
    assert top.summary == "1 file present in the passing run is missing"
    assert [(Path(e.source).name, e.line) for e in top.evidence] == [("ls-lR-current.txt", 5)]
    assert "connection-refused" not in [f.id for f in with_good.findings]
    report = with_good.baseline
    assert report.hits_seen_before == 0
    assert [(Path(u.source).name, u.line) for u in report.new_lines] == [("station.log", 5)]
    assert report.changes == (("1 file present in the passing run is missing", 1),)


def test_json_and_terminal_show_what_is_new():
    run = subprocess.run([sys.executable, "-m", "faultlens", "explain", BAD, "--baseline", GOOD, "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0
    doc = json.loads(run.stdout)["baseline"]
    assert doc["snapshot_changes"] == [{"summary": "1 file present in the passing run is missing", "count": 1}]
    assert doc["new_lines"][0]["line"] == 5 and doc["lines_seen_in_passing_run"] == 0
    text = subprocess.run([sys.executable, "-m", "faultlens", "explain", BAD, "-b", GOOD], capture_output=True,
                          text=True, cwd=ROOT).stdout
    assert "New since the passing run" in text and "on disk: 1 file present in the passing run is missing" in text


def test_unreadable_baseline_is_an_input_error():
    run = subprocess.run([sys.executable, "-m", "faultlens", "explain", BAD, "--baseline", "/no/such/run"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2
    assert run.stderr == "faultlens: error: baseline: nothing could be read (/no/such/run: no such file or directory)\n"


GOOD_LS = """/opt/ts/current/bin:
-rwxr-xr-x 1 tester tester 9204 Nov 20 10:00 executive
-rwxr-xr-x 1 tester tester 812 Nov 20 10:00 start.sh
/opt/ts/current/etc:
-rw-r--r-- 1 tester tester 1204 Nov 20 10:00 a.cfg
-rw-r--r-- 1 tester tester 1204 Nov 20 10:00 b.cfg
"""


def test_compare_and_summaries():
    bad = GOOD_LS.replace("-rw-r--r-- 1 tester tester 1204 Nov 20 10:00 a.cfg", "-rw------- 1 jdoe jdoe 1204 Nov 25 02:58 a.cfg") \
                 .replace("-rw-r--r-- 1 tester tester 1204 Nov 20 10:00 b.cfg", "-rw------- 1 jdoe jdoe 1204 Nov 25 02:58 b.cfg") \
                 .replace("-rwxr-xr-x 1 tester tester 812 Nov 20 10:00 start.sh\n", "") + \
          "-rw-r--r-- 1 tester tester 10 Nov 25 02:58 new.cfg\n"
    changes = compare(snapshot(("ls", bad)), snapshot(("ls", GOOD_LS)))
    assert [text for text, _ in summaries(changes)] == [
        "2 files changed from 0644 tester to 0600 jdoe since the passing run",
        "1 file present in the passing run is missing",
        "1 file is new since the passing run",
    ]


def test_modes_tightened_since_the_passing_run_point_at_the_umask(kb):
    bad = GOOD_LS.replace("-rw-r--r-- 1 tester tester 1204 Nov 20 10:00 a.cfg", "-rw------- 1 jdoe jdoe 1204 Nov 25 02:58 a.cfg")
    from faultlens.ingest.sources import Blob
    from faultlens.pipeline import explain_run, read_blobs

    run = read_blobs([Blob("bad/ls.txt", bad.encode()), Blob("bad/run.log", b"ERROR GENERIC FAILURE\n")], [])
    good = read_blobs([Blob("good/ls.txt", GOOD_LS.encode())], [])
    result = explain_run(run, kb, "tester", good, ("good",))
    assert result.findings[0].id == "umask-restrictive-package"
    assert any(e.signal == "unreadable-since-passing-run" for e in result.findings[0].evidence)


def test_lost_exec_bit_since_the_passing_run(kb):
    bad = GOOD_LS.replace("-rwxr-xr-x 1 tester tester 812 Nov 20 10:00 start.sh", "-rw-r--r-- 1 tester tester 812 Nov 25 02:58 start.sh")
    from faultlens.ingest.sources import Blob
    from faultlens.pipeline import explain_run, read_blobs

    run = read_blobs([Blob("bad/ls.txt", bad.encode()), Blob("bad/run.log", b"station failed to start\n")], [])
    result = explain_run(run, kb, "tester", read_blobs([Blob("good/ls.txt", GOOD_LS.encode())], []), ("good",))
    assert result.findings[0].id == "missing-exec-bit"
    assert result.findings[0].summary == "1 file changed from 0755 tester to 0644 tester since the passing run"
