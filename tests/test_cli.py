"""The command line as users and scripts meet it: exit codes, stderr, formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOOR = str(ROOT / "samples" / "floor-down")


def run(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "faultlens", *args], input=stdin, capture_output=True,
                          text=True, env=full_env, cwd=ROOT, timeout=120)


def test_explain_json_follows_the_schema():
    out = run("explain", "--format", "json", FLOOR)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["schema"] == "faultlens.explain/1" and doc["verdict"] == "explained"
    cause = doc["causes"][0]
    assert set(cause) >= {"id", "title", "category", "confidence", "summary", "evidence", "runbook", "next_steps"}
    assert cause["id"] == "umask-restrictive-package" and cause["confidence"] >= 0.8
    kinds = {Path(e["source"]).parent.name for e in cause["evidence"]}
    assert kinds == {"logs", "snapshot"}
    assert cause["runbook"] == {"id": "umask-restrictive-package", "title": "Check your umask",
                                "path": "runbooks/umask-restrictive-package.md"}
    assert {i["kind"] for i in doc["inputs"]} == {"log", "snapshot"}
    assert doc["knowledge_base"]["causes"] == 42  # the shipped catalog


def test_output_to_a_file_is_whole_though_the_process_skips_teardown(tmp_path: Path):
    """main() ends with os._exit: what sits in a block-buffered stdout must be flushed first."""
    piped = run("explain", "--format", "json", FLOOR)
    out = tmp_path / "answer.json"
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with out.open("w") as fh:
        done = subprocess.run([sys.executable, "-m", "faultlens", "explain", "--format", "json", FLOOR],
                              stdout=fh, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=buffered, timeout=120)
    assert done.returncode == 0 and done.stderr == ""
    assert out.read_text() == piped.stdout and piped.stdout.startswith("{")


@pytest.mark.parametrize("closed, code, stderr", [
    (">&-", 2, "faultlens: error: standard output is closed: nowhere to write the answer\n"),
    ("2>&-", 0, ""),
])
def test_a_closed_standard_stream_is_one_line_and_an_exit_code(closed, code, stderr):
    done = subprocess.run(["sh", "-c", f'exec "$@" {closed}', "sh", sys.executable, "-m", "faultlens", "explain", FLOOR],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert (done.returncode, done.stderr) == (code, stderr)
    assert ("umask-restrictive-package" in done.stdout) == (code == 0)


def test_terminal_output_piped_is_plain_text():
    out = run("explain", FLOOR)
    assert out.returncode == 0
    assert "\x1b[" not in out.stdout
    assert "1. umask-restrictive-package" in out.stdout
    assert "releases-ls-lR.txt:132" in out.stdout and "station-01.log:160" in out.stdout
    assert "runbook: Check your umask" in out.stdout


def test_no_color_even_when_forced_terminal():
    out = run("explain", FLOOR, env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert "\x1b[3" not in out.stdout  # no colour codes


def test_stdin_pipe_and_unexplained_exit_code():
    out = run("explain", stdin="2026-11-25T01:00:00Z all steps done, 0 errors\n")
    assert out.returncode == 1
    assert "unexplained" in out.stdout


def test_explained_from_stdin_with_dash():
    out = run("explain", "-", "--format", "json", stdin="touch: cannot touch '/x': Read-only file system\n")
    assert out.returncode == 0
    doc = json.loads(out.stdout)
    assert doc["causes"][0]["id"] == "readonly-filesystem"
    assert doc["causes"][0]["evidence"][0] == {"source": "<stdin>", "line": 1, "signal": "erofs",
                                               "text": "touch: cannot touch '/x': Read-only file system"}


@pytest.mark.parametrize("args, message", [
    (("explain", "/no/such/file.log"), "faultlens: error: nothing could be read (/no/such/file.log: no such file or directory)\n"),
    (("explain", FLOOR, "--kb", "/no/such/kb"), "faultlens: error: /no/such/kb: knowledge-base folder not found\n"),
])
def test_input_errors_are_one_line_and_exit_2(args, message):
    out = run(*args)
    assert out.returncode == 2
    assert out.stderr == message
    assert "Traceback" not in out.stderr


def test_bad_kb_file_names_file_and_line(tmp_path: Path):
    (tmp_path / "x.yaml").write_text("id: x\ntitle: [\n")
    out = run("explain", FLOOR, "--kb", str(tmp_path))
    assert out.returncode == 2
    assert out.stderr.startswith(f"faultlens: error: {tmp_path}/x.yaml:3: invalid YAML")
    assert out.stderr.count("\n") == 1


def test_one_bad_file_does_not_lose_the_others(tmp_path: Path):
    (tmp_path / "broken.log.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    out = run("explain", "--format", "json", str(tmp_path / "broken.log.gz"), FLOOR)
    assert out.returncode == 0
    doc = json.loads(out.stdout)
    assert doc["causes"][0]["id"] == "umask-restrictive-package"
    bad = [i for i in doc["inputs"] if i["source"].endswith("broken.log.gz")][0]
    assert bad["problems"][0]["reason"].startswith("corrupt gzip data")


def test_markdown_keeps_log_text_inert(tmp_path: Path):
    log = tmp_path / "evil.log"
    log.write_text("[click](javascript:alert(1)) <script>alert(1)</script> ``` Read-only file system\n")
    out = run("explain", "--format", "markdown", str(log))
    assert out.returncode == 0
    assert out.stdout.startswith("## faultlens: The filesystem is mounted read-only")
    assert "````text\n" in out.stdout  # the fence is longer than any backtick run in the log


def test_terminal_strips_escape_sequences_from_log_text(tmp_path: Path):
    log = tmp_path / "evil.log"
    log.write_bytes(b"Read-only file system \x1b]0;owned\x07 \x1b[2J\x08\n")
    out = run("explain", str(log))
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout and "\x08" not in out.stdout


@pytest.mark.parametrize("query, runbook_title", [
    ("umask", "# Check your umask"),
    ("umsak", "# Check your umask"),  # a typo still finds it
    ("dir-not-traversable", "# A parent directory cannot be entered"),
    ("selinux", "# SELinux or AppArmor denied the access"),
])
def test_runbook_lookup(query, runbook_title):
    out = run("runbook", query)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(runbook_title)


def test_umask_runbook_starts_with_the_lesson():
    out = run("runbook", "umask-restrictive-package")
    assert out.stdout.splitlines()[2].startswith("Check your umask.")


def test_runbook_list_and_not_found():
    listing = run("runbook")
    assert listing.returncode == 0 and "umask-restrictive-package  Check your umask" in listing.stdout
    missing = run("runbook", "zzzzzz")
    assert missing.returncode == 1 and "no runbook matches 'zzzzzz'" in missing.stderr


def test_kb_list_json_lint_and_test():
    listed = json.loads(run("kb", "list", "--format", "json").stdout)
    assert {"id": "wrong-owner", "category": "permissions"}.items() <= \
        [c for c in listed["causes"] if c["id"] == "wrong-owner"][0].items()
    lint = run("kb", "lint")
    assert lint.returncode == 0 and lint.stdout.endswith("kb lint: 0 error(s), 0 warning(s)\n")
    test = run("kb", "test")
    assert test.returncode == 0 and "examples pass" in test.stdout


def test_kb_test_reports_a_failing_example(tmp_path: Path):
    (tmp_path / "fw.yaml").write_text(
        "id: fw\ntitle: Firmware\ncategory: environment\nsummary: s\nrunbook: wrong-owner\n"
        "signals:\n  - id: fw\n    log: 'firmware too old'\n    weight: 0.9\n"
        "examples:\n  positive:\n    - name: mismatch\n      log: 'firmware is fine'\n")
    out = run("kb", "test", "--kb", str(tmp_path), "--cause", "fw")
    assert out.returncode == 1
    assert out.stdout.startswith("FAIL fw: mismatch (want fw first; got nothing)")


def test_python_dash_m_and_no_args_usage():
    out = run()
    assert out.returncode == 2 and out.stdout.startswith("Usage: faultlens [OPTIONS] COMMAND [ARGS]...")


def test_a_log_alone_is_explained_without_importing_the_snapshot_grammars(tmp_path: Path):
    """lark (~50 ms to import) is loaded only when a snapshot file needs parsing."""
    log = tmp_path / "run.log"
    log.write_text("ERROR write /var/lib/ts/results/run.json: No space left on device\n")
    listing = tmp_path / "ls-l.txt"
    listing.write_text("-rw------- 1 root root 10 Nov 25 10:00 /var/lib/ts/results/run.json\n")
    for inputs, wanted in (([log], False), ([log, listing], True)):
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "faultlens", "explain", *map(str, inputs)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode in (0, 1), done.stderr[-2000:]
        imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
        assert ("lark" in imported) is wanted, inputs
