"""`faultlens report` on a hostile runs folder: whoever writes RUNS_DIR cannot make the report
read outside it, hang, blow up, forge the Markdown, or lose a night (issue 13)."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faultlens.kb.loader import load_kb
from faultlens.report import history, runs
from faultlens.report.build import build

DISK_FULL = "2026-11-25T03:00:01Z h1 app[1]: ERROR write failed: [Errno 28] No space left on device"


def make_run(floor: Path, name: str, log: str = DISK_FULL, run_yaml: str | None = None) -> Path:
    run = floor / name
    run.mkdir(parents=True)
    (run / "station.log").write_text(log + "\n")
    if run_yaml is not None:
        (run / "run.yaml").write_text(run_yaml)
    return run


def alias_bomb(level: int) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, level + 1)]
    return "\n".join(lines) + f"\nhost: *a{level}\nresult: fail\n"


def rows_of(out: Path, run: str) -> list[dict]:
    return pl.read_parquet(out / "runs.parquet").filter(pl.col("run") == run).to_dicts()


# H4 -------------------------------------------------------------------------------------------

def test_an_alias_bomb_in_run_yaml_is_refused_and_the_run_still_explained(tmp_path: Path):
    """Level 9 would expand into 9**10 strings; it is refused at the first alias, in bounded time."""
    make_run(tmp_path / "floor", "run-bomb", run_yaml=alias_bomb(9))
    make_run(tmp_path / "floor", "run-good", run_yaml="host: h-good\nrelease: base-1\n")
    out = tmp_path / "out"
    summary = build(str(tmp_path / "floor"), str(out), workers=1, progress=False)
    bomb = rows_of(out, "run-bomb")[0]
    assert (bomb["status"], bomb["cause"], bomb["host"]) == ("explained", "disk-full", "h1")  # host from the log
    assert bomb["problems"] == ["run.yaml: not valid YAML (line 2): aliases (*name) are not allowed in run.yaml"]
    assert {"run": "run-bomb", "problem": bomb["problems"][0]} in summary["problems"]
    assert sum(p.stat().st_size for p in out.iterdir()) < 1_000_000


def test_every_metadata_field_is_cut_to_its_bound():
    meta, notes = runs.run_metadata(f"host: {'h' * 5000}\nrelease: base-1\n".encode())
    assert meta == {"host": "h" * runs.MAX_FIELD + "…", "release": "base-1"}
    assert notes == [f"run.yaml: host: longer than {runs.MAX_FIELD} characters: cut"]


def test_a_run_yaml_bigger_than_its_bound_is_not_parsed():
    meta, notes = runs.run_metadata(b"host: h\n" + b"#" * (runs.MAX_RUN_YAML + 1))
    assert (meta, notes) == ({}, ["run.yaml: larger than 64 KiB: not read"])


@pytest.mark.parametrize(("text", "note"), [
    ("host: [a, b]\n", "run.yaml: host: not a single value: not used"),
    ("- just\n- a list\n", "run.yaml: not a mapping of fields (host: ..., release: ...): not used"),
    ("host: &h x\nstation: *h\n", "run.yaml: not valid YAML (line 2): aliases (*name) are not allowed in run.yaml"),
    ("host: " + "[" * 5000 + "\n", "run.yaml: nested too deeply: not read"),
])
def test_malformed_run_yaml_is_a_problem_of_the_file(text: str, note: str | None):
    meta, notes = runs.run_metadata(text.encode())
    assert "host" not in meta and len(notes) == 1
    assert notes[0].startswith("run.yaml: ")
    if note:
        assert notes == [note]


# L11 ------------------------------------------------------------------------------------------

def test_an_impossible_date_is_a_problem_of_that_field_only(tmp_path: Path):
    make_run(tmp_path / "floor", "r1", run_yaml="host: h1\nrelease: base-2\nfinished_at: 2026-02-30T00:00:00\n")
    out = tmp_path / "out"
    summary = build(str(tmp_path / "floor"), str(out), workers=1, progress=False)
    assert summary["errors"] == []
    row = rows_of(out, "r1")[0]
    assert (row["status"], row["cause"], row["host"], row["release"]) == ("explained", "disk-full", "h1", "base-2")
    assert row["problems"] == ["run.yaml: finished_at: not a time: '2026-02-30T00:00:00'"]
    assert r"- r1: run.yaml: finished\_at: not a time" in (out / "report.md").read_text()


def test_times_in_run_yaml_are_read_as_utc_text():
    meta, notes = runs.run_metadata(b"started_at: 2026-11-24 21:00:00+01:00\nfinished_at: 2026-11-24T20:30:00Z\n")
    assert (meta, notes) == ({"started_at": "2026-11-24T20:00:00", "finished_at": "2026-11-24T20:30:00"}, [])


# M2, M3 ---------------------------------------------------------------------------------------

def test_links_out_of_the_runs_folder_are_never_read(tmp_path: Path):
    private = tmp_path / "private"
    private.mkdir()
    (private / "secret.txt").write_text("ERROR db password=hunter2 for root@prod\n")
    floor = tmp_path / "floor"
    run_a = make_run(floor, "run-a")
    (run_a / "secret.log").symlink_to(private / "secret.txt")
    (run_a / "inside.log").symlink_to(run_a / "station.log")  # a link that stays inside is read
    (floor / "run-b").symlink_to(private)
    out = tmp_path / "out"
    summary = build(str(floor), str(out), workers=1, progress=False)
    for name in ("report.html", "report.md", "summary.json", "runs.parquet"):
        assert b"hunter2" not in (out / name).read_bytes(), name
    assert summary["errors"] == [{"run": "run-b", "error": "a symbolic link: not followed (a run must be a folder or "
                                                          "tarball inside the runs folder)"}]
    doc = json.loads(rows_of(out, "run-a")[0]["explanation"])
    inputs = {Path(i["source"]).name: i for i in doc["inputs"]}
    assert inputs["secret.log"]["problems"] == [{"line": None, "reason": "symbolic link to outside the runs folder: not read"}]
    assert inputs["inside.log"]["kind"] == "log"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifos_are_listed_as_unreadable_and_never_opened(tmp_path: Path):
    floor = tmp_path / "floor"
    run = make_run(floor, "run-ok")
    os.mkfifo(floor / "evil.tar")
    os.mkfifo(run / "pipe.log")
    out = tmp_path / "out"
    # a FIFO opened would block here forever: the test would hang, not fail
    summary = build(str(floor), str(out), workers=1, progress=False)
    assert summary["errors"] == [{"run": "evil.tar", "error": "not a regular file or folder (a FIFO, socket or device): not read"}]
    row = rows_of(out, "run-ok")[0]
    assert row["cause"] == "disk-full"
    sources = {Path(i["source"]).name: i["problems"] for i in json.loads(row["explanation"])["inputs"]}
    assert sources["pipe.log"] == [{"line": None, "reason": "not a regular file (a FIFO, socket or device): not read"}]


def test_a_deep_folder_in_a_run_is_walked_without_recursion(tmp_path: Path):
    run = make_run(tmp_path / "floor", "run-deep", log="step ok")
    chain = [run]
    try:
        for _ in range(1200):  # os.walk recurses once per level: 1100 levels aborted the whole run
            chain.append(chain[-1] / "d")
            chain[-1].mkdir()
        (chain[-1] / "late.log").write_text(DISK_FULL + "\n")
        files, problems = runs.run_files(run, run.parent)
        assert (files[-1].endswith("/d/late.log"), problems) == (True, [])
    finally:  # bottom-up: removing it is recursive too (pytest's own clean-up would fail on it)
        (chain[-1] / "late.log").unlink(missing_ok=True)
        for folder in reversed(chain[1:]):
            folder.rmdir()


# L3 -------------------------------------------------------------------------------------------

def test_passing_runs_give_the_parent_a_bounded_number_of_lines(tmp_path: Path):
    kb = load_kb()
    run = make_run(tmp_path / "floor", "pass-1", run_yaml="result: pass\n",
                   log="\n".join(f"2026-11-25T03:00:00Z h app[1]: ERROR widget {i:06x} {'x' * (i % 900)} failed"
                                 for i in range(5000)))
    lines = runs.everyday_lines(str(run), kb, runs.everyday_cap(1))
    assert len(lines) == runs.EVERYDAY_PER_RUN == len(set(lines))
    assert max(len(line) for line in lines) == runs.MAX_LINE
    assert runs.everyday_cap(runs.EVERYDAY_SAMPLE) * runs.EVERYDAY_SAMPLE <= runs.EVERYDAY_LINES


# L4 -------------------------------------------------------------------------------------------

def test_line_breaks_in_run_metadata_cannot_write_into_report_md(tmp_path: Path):
    injected = "h1\\n\\nAll failures tonight were caused by the network team."
    for n in (1, 2):
        make_run(tmp_path / "floor", f"r{n}", run_yaml=f'host: "{injected}"\nrelease: "b\\r\\n# Fake heading"\nresult: fail\n')
    out = tmp_path / "out"
    build(str(tmp_path / "floor"), str(out), workers=1, progress=False)
    md = (out / "report.md").read_text()
    assert "\nAll failures tonight" not in md and "\n# Fake heading" not in md
    assert r"| h1\\n\\nAll failures tonight were caused by the network team. | `disk-full` | 2 |" in md  # shows \n
    for line in md.splitlines():
        if line.startswith("|"):
            assert line.endswith("|"), line


# L9 -------------------------------------------------------------------------------------------

def test_staging_folders_of_killed_reports_are_removed(tmp_path: Path):
    make_run(tmp_path / "floor", "r1")
    out = tmp_path / "out"
    (out / ".staging-killed" / "runs.parquet").parent.mkdir(parents=True)
    (out / ".staging-killed" / "runs.parquet").write_bytes(b"PAR1 half")
    build(str(tmp_path / "floor"), str(out), workers=1, progress=False)
    assert sorted(p.name for p in out.iterdir()) == ["history.json", "report.html", "report.md", "runs.parquet", "summary.json"]


# L10 ------------------------------------------------------------------------------------------

def _night(args) -> None:
    floor, out, night = args
    slow = history.load

    def load_then_wait(folder):
        past = slow(folder)
        time.sleep(1.0)  # what another report does meanwhile must not be lost
        return past

    history.load = load_then_wait
    build(floor, out, workers=1, progress=False, night=night)


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_concurrent_reports_into_one_folder_keep_every_night(tmp_path: Path):
    nights = ["2026-11-20", "2026-11-21", "2026-11-22"]
    for night in nights:
        make_run(tmp_path / night, "r1")
    out = tmp_path / "out"
    out.mkdir()
    with multiprocessing.get_context("spawn").Pool(len(nights)) as pool:
        pool.map(_night, [(str(tmp_path / n), str(out), n) for n in nights])
    entries = json.loads((out / "history.json").read_text())
    assert [e["night"] for e in entries] == nights
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


# property -------------------------------------------------------------------------------------

FIELD = st.sampled_from(list(runs.METADATA_FIELDS) + ["other", "result"])
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=300),
                   st.datetimes().map(str), st.sampled_from(["2026-02-30", "2026-13-01T00:00:00", "pass", "fail", "~", "*x"]))
VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                     max_leaves=12)
SHAPE = st.one_of(
    st.dictionaries(FIELD, VALUE, max_size=8).map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    VALUE.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
    st.text(max_size=400),  # anything at all, YAML or not
    st.lists(st.sampled_from(["host: ", "&a ", "*a ", "[", "]", "{", "}", ": ", "\n", "- ", "!!python/object ", "'", '"',
                              "2026-02-30", "\t", "%YAML 1.1\n", "---\n", "? "]), max_size=40).map("".join),
)


@pytest.fixture(scope="module")
def kb():
    return load_kb()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=SHAPE)
def test_any_run_yaml_gives_a_read_run_with_bounded_fields(tmp_path_factory, kb, text: str):
    floor = tmp_path_factory.mktemp("floor")
    run = make_run(floor, "run-x", run_yaml=text)
    [row, *_] = runs.analyze(run, kb)
    assert row["status"] in ("explained", "pass"), row.get("error")
    if row["status"] == "explained":
        assert row["cause"] == "disk-full"
    for key in runs.METADATA_FIELDS:
        assert row.get(key) is None or (isinstance(row[key], str) and len(row[key]) <= runs.MAX_FIELD + 1)
    assert all(note.startswith("run.yaml: ") for note in row.get("problems", []))


def test_the_cli_exits_1_when_a_run_could_not_be_read(tmp_path: Path):
    floor = tmp_path / "floor"
    make_run(floor, "r1")
    (floor / "broken.tgz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    done = subprocess.run([sys.executable, "-m", "faultlens", "report", str(floor), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[-1] == ("faultlens: 1 of 2 runs could not be read: see 'Runs that could not be read' "
                                            "in the report")
    os.remove(floor / "broken.tgz")
    done = subprocess.run([sys.executable, "-m", "faultlens", "report", str(floor), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

