"""The report as a tool for digging (issue 15): from a cause to its runs, from a run to its own
explanation; charts with axes; shares over all failures; history by night; CI-friendly output."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from faultlens.render import report_charts
from faultlens.render.report_html import anchor
from faultlens.report.build import build, percents

ROOT = Path(__file__).resolve().parents[2]
NIGHT = ROOT / "samples" / "floor-night"
DISK_FULL = "2026-11-{day}T03:00:01Z h1 app[1]: ERROR write failed: [Errno 28] No space left on device"
CRASH = "2026-11-{day}T03:00:01Z h1 app[1]: ERROR Segmentation fault (core dumped)"


@pytest.fixture(scope="module")
def night(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("report")
    return out, build(str(NIGHT), str(out), progress=False)


def failing_runs(out: Path) -> list[dict]:
    runs = pl.read_parquet(out / "runs.parquet")
    return (runs.filter(pl.col("status").is_in(["explained", "unexplained"]) & (pl.col("rank").is_null() | (pl.col("rank") == 1)))
            .sort("run").to_dicts())


def test_report_html_names_every_failing_run_with_its_evidence_line(night):
    out, summary = night
    page = (out / "report.html").read_text()
    failing = failing_runs(out)
    assert len(failing) == summary["totals"]["failing"] == 16
    for row in failing:
        cause = row["cause"] or "(unexplained)"
        line = row["evidence_text"] or row["signature"][0]
        section = page.split(f"<section class='cause' id='{anchor('cause-', cause)}'>", 1)[1].split("</section>", 1)[0]
        run_row = next(tr for tr in section.split("<tr>") if f"href='#{anchor('run-', row['run'])}'" in tr)
        assert f"<code>{html.escape(line)}</code>" in run_row, row["run"]
        assert f"<section class='run' id='{anchor('run-', row['run'])}'>" in page
    umask = next(r for r in summary["failing_runs"] if r["run"] == "run-station-01-00032")
    assert (umask["cause"], umask["station"], umask["host"], umask["release"], umask["evidence_line"]) == (
        "umask-restrictive-package", "station-01", "ts-host-01", "base-4.2.0", 6)


def test_report_md_lists_the_failing_runs_per_cause_with_their_evidence_line(night):
    out, _ = night
    md = (out / "report.md").read_text()
    section = md.split("### `disk-full` No space (or no inodes) left on a device (2 runs)\n\n", 1)[1].split("\n\n", 1)[0]
    section = re.sub(r"\(confidence 0\.\d+\)", "(confidence C)", section)  # the value is the calibration's
    assert section.splitlines() == [
        "- run-station-03-00010 · ts-host-03 · 2026-11-24 22:00:24 UTC · (no release) (confidence C): `station.log:62` "
        "`2026-11-24T22:03:09Z ts-host-03 executive[26158]: ERROR cannot write results: OSError: [Errno 28] No space left "
        "on device: '/var/lib/ts/results/10.json'`",
        "- run-station-03-00018 · station-03 · ts-host-03 · 2026-11-25 00:00:25 UTC · base-4.1.1 (confidence C): "
        "`station.log:62` `2026-11-25T00:03:16Z ts-host-03 executive[1689]: ERROR cannot write results: OSError: [Errno 28] "
        "No space left on device: '/var/lib/ts/results/18.json'`"]


def test_a_runs_explanation_is_the_same_document_as_explain_json(night):
    out, _ = night
    run = "run-station-03-00018"
    doc = json.loads(pl.read_parquet(out / "runs.parquet").filter(pl.col("run") == run)["explanation"].drop_nulls()[0])
    done = subprocess.run([sys.executable, "-m", "faultlens", "explain", "--format", "json", str(NIGHT / run)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert doc == json.loads(done.stdout)
    page = (out / "report.html").read_text()
    section = page.split(f"<section class='run' id='{anchor('run-', run)}'>", 1)[1].split("</section>", 1)[0]
    assert "<a class='back' href='#cause-disk-full'>" in section
    assert f"station.log:62  {html.escape(doc['causes'][0]['evidence'][0]['text'])}" in section


def test_shares_are_over_all_failures_and_sum_to_100(night):
    _, summary = night
    assert [(s["cause"], s["runs"], s["percent"]) for s in summary["shares"]] == [
        ("umask-restrictive-package", 8, 50), ("disk-full", 2, 13), ("test-assertion", 2, 12), ("(unexplained)", 4, 25)]
    assert sum(s["runs"] for s in summary["shares"]) == summary["totals"]["failing"]


@pytest.mark.parametrize(("counts", "want"), [([1, 1, 1], [34, 33, 33]), ([2, 1], [67, 33]), ([1] * 7, [15, 15, 14, 14, 14, 14, 14]),
                                              ([5], [100]), ([], []), ([0, 0], [0, 0])])
def test_percents_add_up_to_exactly_100(counts, want):
    assert percents(counts) == want


def test_a_run_without_release_is_no_release_in_chart_and_text(night):
    out, summary = night
    assert {"release": "(no release)", "cause": "disk-full", "runs": 1} in summary["by_release"]
    page = (out / "report.html").read_text()
    assert "(no release) · disk-full<title>" in page  # the bar's label
    row = page.split(f"href='#{anchor('run-', 'run-station-03-00010')}'", 1)[1].split("</tr>", 1)[0]
    assert "<td>(no release)</td>" in row
    assert re.search(r"· \(no release\) \(confidence 0\.\d+\)", (out / "report.md").read_text())
    assert "None" not in (out / "report.md").read_text()


def test_the_page_allows_exactly_its_own_script_by_hash(night):
    out, _ = night
    page = (out / "report.html").read_text()
    [script] = re.findall(r"<script>(.*?)</script>", page, re.S)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    [csp] = re.findall(r'http-equiv=\'Content-Security-Policy\' content="([^"]*)"', page)
    assert f"script-src 'sha256-{digest}'" in csp and "unsafe-inline'; img" in csp and "default-src 'none'" in csp
    assert "onclick" not in page.lower() and "javascript:" not in page.lower()


def test_charts_have_axes_and_counts(night):
    out, _ = night
    page = (out / "report.html").read_text()
    shares = page.split("id='shares'", 1)[1].split("</svg>", 1)[0]
    assert ">8 (50 %)</text>" in shares and ">failing runs (share of all failures)</text>" in shares
    assert [int(t) for t in re.findall(r"text-anchor='middle' fill='#555' font-size='11'>(\d+)</text>", shares)] == [0, 2, 4, 6, 8]
    over_time = page.split("id='over-time'", 1)[1].split("</svg>", 1)[0]
    assert ">hour started (UTC)</text>" in over_time and ">failing runs per hour</text>" in over_time
    assert ">11-24 20:00</text>" in over_time  # every hour from the first failure on, quiet ones too


def test_the_station_heat_map_scales_to_200_stations():
    causes = ["umask-restrictive-package", "disk-full", "test-assertion", "(unexplained)"]
    rows = [{"station": f"station-{s:03d}", "cause": causes[s % 4], "runs": 1 + s % 9} for s in range(200)]
    rows += [{"station": "station-000", "cause": "disk-full", "runs": 40}]
    svg = report_charts.heatmap(rows, "station", causes, "per-station")
    cells = re.findall(r"<rect x='\d+' y='(\d+)' width='29' height='13' fill='(#[0-9a-f]{6})'", svg)
    assert len(cells) == 200 * 4
    assert len({y for y, _ in cells}) == 200  # one row of cells per station
    assert re.search(r"height='(\d+)'", svg)[1] == str(150 + 14 * 200 + 70)
    assert svg.index(">station-000<title>") < svg.index(">station-008<title>")  # most failures first
    assert "station-000 · disk-full: 40</title>" in svg and ">200 stations with a failure" in svg


def nights(tmp_path: Path, days: dict[str, list[str]]) -> dict[str, Path]:
    floors = {}
    for day, lines in days.items():
        floors[day] = tmp_path / f"night-{day}"
        for n, line in enumerate(lines):
            (floors[day] / f"r{n}").mkdir(parents=True)
            (floors[day] / f"r{n}" / "station.log").write_text(line.format(day=day) + "\n")
    return floors


def test_history_is_keyed_by_night_and_a_rerun_replaces_its_entry(tmp_path: Path):
    floors = nights(tmp_path, {"21": [DISK_FULL], "22": [DISK_FULL, CRASH], "23": [CRASH]})
    out = tmp_path / "out"
    for day in ("21", "23", "22"):  # a late night reported out of order, then one reported again
        summary = build(str(floors[day]), str(out), workers=1, progress=False)
    assert summary["night"] == "2026-11-21"  # 03:00 on the 22nd belongs to the night of the 21st
    assert (summary["changes"]["previous_night"], summary["changes"]["new"]) == ("2026-11-20", ["segfault"])
    again = build(str(floors["23"]), str(out), workers=1, progress=False)
    assert (again["changes"]["previous_night"], again["changes"]["gone"]) == ("2026-11-21", ["disk-full"])
    entries = json.loads((out / "history.json").read_text())
    assert [(e["night"], e["failing"]) for e in entries] == [("2026-11-20", 1), ("2026-11-21", 2), ("2026-11-22", 1)]
    assert entries[-1]["generated_at"] == again["generated_at"]


def test_progress_lines_on_stderr_when_it_is_not_a_terminal(tmp_path: Path):
    done = subprocess.run([sys.executable, "-m", "faultlens", "report", str(NIGHT), "--out", str(tmp_path / "out"), "-j", "1"],
                          capture_output=True, text=True)
    assert done.returncode == 1, done.stderr  # one run of the sample night cannot be read
    lines = done.stderr.splitlines()
    assert lines[0] == "faultlens report: explaining 40 runs"
    assert lines[1:11] == [f"faultlens report: {4 * k}/40 runs explained ({10 * k} %)" for k in range(1, 11)]
    assert lines[11] == f"faultlens report: writing the report of the night of 2026-11-24 into {tmp_path / 'out'}"
    assert done.stdout.startswith(f"{tmp_path / 'out'}: 40 runs, 16 failed")


def test_help_says_when_report_exits_1():
    done = subprocess.run([sys.executable, "-m", "faultlens", "report", "--help"], capture_output=True, text=True,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "Exit 0 when every run was read, 1 when a run could not be read" in text


def test_a_bad_night_option_is_a_usage_error(tmp_path: Path):
    done = subprocess.run([sys.executable, "-m", "faultlens", "report", str(NIGHT), "--out", str(tmp_path), "--night", "24/11"],
                          capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (2, "faultlens: error: --night '24/11': not a date (YYYY-MM-DD)\n")
