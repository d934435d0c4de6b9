"""faultlens report end to end on the sample night."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
import pytest

from faultlens.kb.loader import load_kb
from faultlens.kbtools import run_example
from faultlens.render.report_html import SORT_SCRIPT
from faultlens.report.build import FILES, build

ROOT = Path(__file__).resolve().parents[2]
NIGHT = ROOT / "samples" / "floor-night"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    build(str(NIGHT), str(out), progress=False)
    return out


def test_writes_the_four_outputs_and_history(report: Path):
    assert sorted(p.name for p in report.iterdir()) == sorted(FILES)


def test_umask_incident_on_top_with_its_release(report: Path):
    summary = json.loads((report / "summary.json").read_text())
    top = summary["by_cause"][0]
    assert (top["cause"], top["runs"], top["hosts"]) == ("umask-restrictive-package", 8, 8)
    umask = next(r for r in summary["release_correlation"] if r["cause"] == "umask-restrictive-package")
    assert (umask["release"], umask["after"], umask["before"], umask["release_is_new"]) == ("base-4.2.0", 8, 0, True)
    html = (report / "report.html").read_text()
    assert "all 8 failures of umask-restrictive-package began after release base-4.2.0 appeared" in html
    assert "href='#runbook-umask-restrictive-package'" in html and "id='runbook-umask-restrictive-package'" in html
    assert re.findall(r"<svg class='chart' id='([\w-]+)'", html) == [
        "shares", "per-release", "over-time", "per-host", "per-station"]


def test_unexplained_failures_are_clustered_and_the_corrupt_run_listed(report: Path):
    summary = json.loads((report / "summary.json").read_text())
    cluster = summary["clusters"][0]
    assert cluster["count"] == 4 and "ERROR fixture <*> firmware CRC <*> rejected by DUT bootloader" in cluster["template"]
    assert summary["errors"] == [{"run": "run-station-06-00013.tgz",
                                  "error": "truncated gzip data after 512 bytes (Compressed file ended before the "
                                           "end-of-stream marker was reached): read what came before"}]
    assert summary["totals"] == {"runs": 40, "failing": 16, "explained": 12, "unexplained": 4, "passed": 23, "errors": 1}


def test_parquet_rows_and_inferred_metadata(report: Path):
    runs = pl.read_parquet(report / "runs.parquet")
    assert runs.filter(pl.col("status") == "explained").select("rank").min().item() == 1
    no_yaml = runs.filter(pl.col("run") == "run-station-04-00003").to_dicts()[0]
    assert no_yaml["host"] == "ts-host-04" and no_yaml["station"] is None and no_yaml["started_at"] is not None
    assert set(runs.columns) >= {"run", "host", "station", "release", "started_at", "cause", "confidence",
                                 "evidence_source", "evidence_line", "kb_version"}


def test_rerun_of_the_same_night_replaces_its_history_entry(tmp_path: Path):
    first = build(str(NIGHT), str(tmp_path), workers=1, progress=False)
    second = build(str(NIGHT), str(tmp_path), workers=1, progress=False)
    assert first["night"] == second["night"] == "2026-11-24"
    assert second["changes"]["previous"] is None  # compared with the night before, not with itself
    entries = json.loads((tmp_path / "history.json").read_text())
    assert [(e["night"], e["generated_at"], e["runs"]) for e in entries] == [("2026-11-24", second["generated_at"], 40)]


def hostile_floor(tmp_path: Path) -> Path:
    floor = tmp_path / "floor"
    shutil.copytree(NIGHT, floor)
    for n in range(3):
        run = floor / f"run-evil-{n}"
        run.mkdir()
        (run / "station.log").write_text(
            f"2026-11-25T01:0{n}:00Z ts-host-09 executive[7]: ERROR <script>document.title='pwned'</script> "
            f"<img src=x onerror=alert(1)> step {n} failed\n")
    (floor / "run-broken.tgz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    return floor


def test_log_text_is_escaped_and_one_broken_run_changes_nothing_else(tmp_path: Path):
    out = tmp_path / "out"
    summary = build(str(hostile_floor(tmp_path)), str(out), progress=False)
    html = (out / "report.html").read_text()
    assert html.count("<script") == 1 and f"<script>{SORT_SCRIPT}</script>" in html  # ours, allowed by its hash
    assert "<img" not in html
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in html
    assert {e["run"] for e in summary["errors"]} == {"run-station-06-00013.tgz", "run-broken.tgz"}
    assert summary["by_cause"][0]["runs"] == 8


def chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    """Headless chromium with a short profile path and TMPDIR=/tmp: its singleton socket lives
    there, and a long TMPDIR (a CI workspace) makes the path too long for a Unix socket."""
    profile = Path(tempfile.mkdtemp(prefix="fl-", dir="/tmp"))
    try:
        return subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                               "--disable-background-networking", "--disable-component-update", "--disable-sync",
                               f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=300, env={**os.environ, "TMPDIR": "/tmp"})
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_html_renders_in_a_real_browser_and_no_log_script_runs(tmp_path: Path):
    out = tmp_path / "out"
    build(str(hostile_floor(tmp_path)), str(out), progress=False)
    done = chromium(["--dump-dom", (out / "report.html").as_uri()], tmp_path)
    assert done.returncode == 0, done.stderr
    dom = done.stdout
    assert "<title>faultlens night report" in dom and "pwned</title>" not in dom
    assert dom.count("<svg") == 5 and "<rect" in dom
    assert "&lt;script&gt;document.title" in dom  # shown as text, never run
    assert dom.count('class="filter"') == len(re.findall("<table class=\"runs\"", dom)) == 4  # our script ran under the CSP


def test_interrupted_report_leaves_the_previous_one_intact(tmp_path: Path, monkeypatch):
    build(str(NIGHT), str(tmp_path), workers=1, progress=False)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    from faultlens.render import report_html

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(report_html, "render", crash)
    with pytest.raises(KeyboardInterrupt):
        build(str(NIGHT), str(tmp_path), workers=1, progress=False)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_kb_new_from_cluster_drafts_a_loadable_cause(report: Path, tmp_path: Path):
    cluster = json.loads((report / "summary.json").read_text())["clusters"][0]
    draft = tmp_path / "kb" / "firmware.yaml"
    draft.parent.mkdir()
    done = subprocess.run([sys.executable, "-m", "faultlens", "kb", "new", "--from-cluster", cluster["id"],
                           "--report", str(report), "--out", str(draft)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    kb = load_kb([str(draft.parent)])
    cause = next(c for c in kb.causes.values() if c.path == str(draft))
    assert cause.id == "firmware" and run_example(kb, cause, cause.examples[0]).passed  # named after --out
    missing = subprocess.run([sys.executable, "-m", "faultlens", "kb", "new", "--from-cluster", "Cnope",
                              "--report", str(report)], capture_output=True, text=True)
    assert missing.returncode == 2 and "no cluster 'Cnope'" in missing.stderr


def test_report_usage_errors(tmp_path: Path):
    done = subprocess.run([sys.executable, "-m", "faultlens", "report", str(tmp_path / "none"), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr == f"faultlens: error: {tmp_path / 'none'}: not a folder of runs\n"


def test_lines_every_passing_run_prints_are_no_signature(tmp_path: Path):
    floor = tmp_path / "floor"
    for n, result in enumerate(["pass", "pass", "fail", "fail"]):
        run = floor / f"run-{n}"
        run.mkdir(parents=True)
        (run / "run.yaml").write_text(f"result: {result}\n")
        lines = ["2026-11-25T01:00:00Z h executive[7]: WARN sensor 3 read error, using cached value"]
        if result == "fail":
            lines.append(f"2026-11-25T01:00:0{n}Z h executive[7]: ERROR DUT {n} refused handshake on bus 2")
        (run / "station.log").write_text("\n".join(lines) + "\n")
    summary = build(str(floor), str(tmp_path / "out"), workers=1, progress=False)
    assert [(c["template"], c["count"]) for c in summary["clusters"]] == [
        ("<*> h executive[<*>]: ERROR DUT <*> refused handshake on bus <*>", 2)]


def test_a_run_with_a_big_log_is_scanned_in_pieces_inside_a_report_worker(tmp_path: Path, monkeypatch):
    """Report workers are processes themselves: a big log in a run still gets its own workers."""
    from faultlens.match import pieces
    from faultlens.ingest import sources

    monkeypatch.setattr(sources, "HELD_BYTES", 50_000)
    monkeypatch.setattr(pieces, "PIECE", 100_000)
    floor = tmp_path / "floor"
    for n in range(4):
        (floor / f"run-{n}").mkdir(parents=True)
        (floor / f"run-{n}" / "station.log").write_text("step ok\n" * 10 + "killed by signal 9 (OOM)\n")
    lines = ["OSError: [Errno 28] No space left on device"] + [f"step {i} ok" for i in range(30_000)]
    (floor / "run-0" / "station.log").write_text("\n".join(lines) + "\n")
    build(str(floor), str(tmp_path / "out"), workers=2, progress=False)
    rows = pl.read_parquet(tmp_path / "out" / "runs.parquet").filter(pl.col("run") == "run-0")
    assert rows.select("cause", "evidence_line").rows() == [("disk-full", 1)]
