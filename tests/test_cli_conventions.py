"""The conventions a command-line user expects: version, help, completion, global options
anywhere, one error style, --color with NO_COLOR/FORCE_COLOR, a team knowledge base."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from faultlens import __version__

ROOT = Path(__file__).resolve().parent.parent
FLOOR = str(ROOT / "samples" / "floor-down")
UMASK077 = str(ROOT / "samples" / "packages" / "base-4.2.0-umask077.tar.gz")
COMMANDS = [("explain",), ("check",), ("collect",), ("report",), ("runbook",), ("completion",), ("schema",),
            ("kb",), ("kb", "list"), ("kb", "path"), ("kb", "lint"), ("kb", "test"), ("kb", "patterns"), ("kb", "new")]


def run(*args: str, env: dict | None = None, cwd: Path = ROOT, umask: int | None = None, stdin: str | None = None):
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "FAULTLENS_KB")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "faultlens", *args], capture_output=True, text=True, env=full_env,
                          cwd=cwd, timeout=300, input=stdin, preexec_fn=None if umask is None else (lambda: os.umask(umask)))


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag):
    out = run(flag)
    assert (out.returncode, out.stdout, out.stderr) == (0, f"faultlens {__version__}\n", "")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_with_h_has_examples_exit_codes_and_named_metavars(command):
    out = run(*command, "-h")
    assert out.returncode == 0 and out.stderr == ""
    assert out.stdout == run(*command, "--help").stdout
    assert out.stdout.startswith(f"Usage: faultlens {' '.join(command)} ")
    assert "Examples:\n    faultlens " in out.stdout or "Examples:\n    eval " in out.stdout
    assert "Exit codes:\n    0  explained" in out.stdout
    for vague in ("<str>", "<int", "TEXT", "INTEGER", "<path>"):
        assert vague not in out.stdout


def test_explain_help_names_its_arguments():
    out = run("explain", "-h").stdout
    assert "Usage: faultlens explain [OPTIONS] [INPUT]...\n" in out
    assert "-u, --user NAME" in out and "--top N" in out and "-b, --baseline PATH" in out and "--kb DIR" in out


@pytest.mark.parametrize("args, message", [
    (("explain", "--bogus"), "faultlens: error: No such option: --bogus"),
    (("check", UMASK077), "faultlens: error: Missing option '--user' / '-u' (`faultlens check -h` shows the usage)"),
    (("explain", FLOOR, "--top", "0"), "faultlens: error: Invalid value for '--top': 0 is not in the range x>=1"),
    (("explain", FLOOR, "--format", "html"), "faultlens: error: Invalid value for '--format'"),
    (("--color", "sometimes", "explain", FLOOR), "faultlens: error: Invalid value for '--color': 'sometimes' is not one of"),
    (("nosuch",), "faultlens: error: No such command 'nosuch'"),
    (("kb", "new"), "faultlens: error: Missing option '--from-cluster'"),
    (("completion", "tcsh"), "faultlens: error: Invalid value for 'SHELL'"),
])
def test_usage_errors_are_one_line_and_exit_2(args, message):
    out = run(*args)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith(message) and out.stderr.count("\n") == 1, out.stderr
    assert "Usage:" not in out.stderr and "Traceback" not in out.stderr


def test_no_command_prints_the_help_and_one_error_line():
    out = run()
    assert out.returncode == 2 and out.stdout.startswith("Usage: faultlens [OPTIONS] COMMAND [ARGS]...")
    assert out.stderr == "faultlens: error: faultlens: which command? (listed above)\n"


def test_global_options_after_the_command():
    before = run("--color", "always", "explain", FLOOR)
    after = run("explain", FLOOR, "--color", "always")
    assert after.returncode == 0 and "\x1b[" in after.stdout and after.stdout == before.stdout
    assert run("explain", FLOOR, "--color=never").stdout == run("explain", FLOOR).stdout
    debug = run("explain", FLOOR, "--kb", "/no/such/kb", "--debug")
    assert debug.returncode == 2 and "Traceback" in debug.stderr
    assert debug.stderr.endswith("faultlens: error: /no/such/kb: knowledge-base folder not found\n")


def test_kb_before_the_command_is_the_global_option(tmp_path: Path):
    _team_kb(tmp_path / "team")
    listed = run("--kb", str(tmp_path / "team"), "kb", "list", "--format", "json")
    assert "fw-crc" in {c["id"] for c in json.loads(listed.stdout)["causes"]}


@pytest.mark.parametrize("args, env, coloured", [
    (("explain", FLOOR), {}, False),
    (("explain", FLOOR), {"FORCE_COLOR": "1"}, True),
    (("explain", FLOOR), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    (("--color", "always", "explain", FLOOR), {"NO_COLOR": "1"}, True),
    (("--color", "never", "explain", FLOOR), {"FORCE_COLOR": "1"}, False),
    (("check", UMASK077, "-u", "tester", "-g", "tester"), {"FORCE_COLOR": "1"}, True),
    (("check", UMASK077, "-u", "tester", "-g", "tester"), {}, False),
    (("check", UMASK077, "-u", "tester", "-g", "tester", "--color", "never"), {"FORCE_COLOR": "1"}, False),
    (("check", UMASK077, "-u", "tester", "-g", "tester", "--color", "always"), {}, True),
    (("runbook", "umask", "--color", "always"), {}, True),
    (("runbook", "umask"), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
])
def test_color_auto_always_never_and_the_environment(args, env, coloured):
    out = run(*args, env={"TERM": "xterm-256color", **env})
    assert out.returncode in (0, 1), out.stderr
    assert ("\x1b[" in out.stdout) == coloured


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_completes_commands_options_and_choices(tmp_path: Path):
    script = run("completion", "bash")
    assert script.returncode == 0 and "complete -o default -F _faultlens_completion faultlens" in script.stdout
    (tmp_path / "faultlens").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m faultlens "$@"\n')
    (tmp_path / "faultlens").chmod(0o755)
    probe = script.stdout + "".join(
        f'COMP_WORDS=({words}); COMP_CWORD={cword}; _faultlens_completion faultlens; echo "${{COMPREPLY[*]}}"\n'
        for words, cword in (("faultlens ex", 1), ("faultlens kb l", 2), ("faultlens explain --fo", 2),
                             ("faultlens explain --format ''", 3)))
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert out.stdout.splitlines() == ["explain", "list lint", "--format", "terminal json markdown github"], out.stderr


@pytest.mark.parametrize("shell, marker", [("zsh", "#compdef faultlens"), ("fish", "complete --command faultlens")])
def test_zsh_and_fish_scripts(shell, marker):
    out = run("completion", shell)
    assert out.returncode == 0 and out.stdout.startswith(marker) and f"_FAULTLENS_COMPLETE=complete_{shell}" in out.stdout


def _team_kb(folder: Path) -> None:
    (folder / "runbooks").mkdir(parents=True)
    (folder / "fw-crc.yaml").write_text(
        "id: fw-crc\ntitle: Fixture firmware rejected\ncategory: environment\nsummary: The DUT bootloader rejects the fixture firmware.\n"
        "runbook: fw-crc\nsignals:\n  - id: crc\n    log: 'firmware CRC \\S+ rejected'\n    weight: 0.9\n")
    (folder / "runbooks" / "fw-crc.md").write_text("---\nid: fw-crc\ntitle: Reflash the fixture\nkeywords: [firmware, crc]\n---\n"
                                                   "Reflash the fixture with the image of the release.\n")


def test_faultlens_kb_gives_every_command_the_team_kb(tmp_path: Path):
    _team_kb(tmp_path / "team")
    env = {"FAULTLENS_KB": str(tmp_path / "team")}
    book = run("runbook", "fw-crc", env=env)
    assert book.returncode == 0 and book.stdout == "# Reflash the fixture\n\nReflash the fixture with the image of the release.\n"
    log = tmp_path / "station.log"
    log.write_text("2026-11-24T20:03:11Z ts-host-05 executive[7428]: ERROR fixture FX-05 firmware CRC 0x4ad9f598 rejected\n")
    explained = json.loads(run("explain", "--format", "json", str(log), env=env).stdout)
    assert explained["causes"][0]["id"] == "fw-crc"
    assert run("runbook", "fw-crc").returncode == 1  # not without it


def test_a_config_file_in_the_current_folder_and_kb_path(tmp_path: Path):
    _team_kb(tmp_path / "our-kb")
    _team_kb(tmp_path / "env-kb")
    (tmp_path / "faultlens.toml").write_text('kb = ["./our-kb"]\n')
    (tmp_path / "sub").mkdir()
    assert run("runbook", "fw-crc", cwd=tmp_path / "sub").returncode == 0
    out = run("kb", "path", "--kb", "/given", env={"FAULTLENS_KB": str(tmp_path / "env-kb")}, cwd=tmp_path / "sub")
    lines = out.stdout.splitlines()
    assert lines[0].startswith("/") and lines[0].endswith(os.path.join("faultlens", "kb", "causes") + "  (from shipped)")
    assert lines[1:] == [f"{tmp_path / 'our-kb'}  (from {tmp_path / 'faultlens.toml'})",  # outside the current folder
                         f"{tmp_path / 'env-kb'}  (from FAULTLENS_KB)", "/given  (from --kb)"]
    here = run("kb", "path", cwd=tmp_path).stdout.splitlines()
    assert here[1:] == ["our-kb  (from faultlens.toml)"]  # inside it: relative
    as_json = json.loads(run("kb", "path", "--format", "json", cwd=tmp_path).stdout)
    assert as_json[1] == {"path": str(tmp_path / "our-kb"), "from": str(tmp_path / "faultlens.toml")}


def test_a_broken_config_file_is_one_line_and_exit_2(tmp_path: Path):
    (tmp_path / "faultlens.toml").write_text('kb = ["./missing"]\n')
    out = run("explain", FLOOR, cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr == f"faultlens: error: {tmp_path}/missing: knowledge-base folder not found (named in {tmp_path}/faultlens.toml)\n"


def test_kb_list_as_markdown():
    out = run("kb", "list", "--format", "markdown")
    lines = out.stdout.splitlines()
    assert lines[:2] == ["| cause | category | title | runbook |", "|---|---|---|---|"]
    assert "| `umask-restrictive-package` | permissions | Release built under a restrictive umask | " \
           "`faultlens runbook umask-restrictive-package` |" in lines


def test_kb_test_of_an_unknown_cause_is_a_usage_error():
    out = run("kb", "test", "--cause", "nosuch")
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr == "faultlens: error: no cause 'nosuch' in the knowledge base (`faultlens kb list` lists them)\n"


def test_kb_lint_lists_every_problem_of_a_file(tmp_path: Path):
    (tmp_path / "bad.yaml").write_text(
        "id: Bad_Id\ntitle: t\ncategory: nowhere\nsummary: s\ncolour: red\n"
        "signals:\n  - id: one\n    log: '(unclosed'\n    weight: 0.5\n  - id: two\n    log: 'fine'\n    weight: 7\n")
    out = run("kb", "lint", "--kb", str(tmp_path), "--passing", str(ROOT / "samples" / "passing"))
    errors = [line for line in out.stdout.splitlines() if line.startswith("error: ")]
    path = tmp_path / "bad.yaml"
    assert [e.split(": bad pattern")[0] for e in errors] == [
        f"error: {path}:1: id must be lowercase words joined by '-', got 'Bad_Id'",
        f"error: {path}:3: unknown category 'nowhere' (one of permissions, resources, dependencies, network, releases, crashes, tests, product, environment)",
        f"error: {path}:5: unknown field 'colour'",
        f"error: {path}:8",  # : bad pattern '(unclosed': RE2's reason
        f"error: {path}:12: signal 'two' needs a weight in [-1, 1] (0: used only inside a sequence)",
    ], out.stdout
    assert out.returncode == 1 and out.stdout.endswith(f"kb lint: {len(errors)} error(s), 0 warning(s)\n")


@pytest.fixture(scope="module")
def night(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("night") / "night"
    done = run("report", str(ROOT / "samples" / "floor-night"), "--out", str(out), "-j", "1")
    # samples/floor-night holds one run that cannot be read (a truncated .tgz): report exits 1
    assert done.returncode == 1 and "1 of 40 runs could not be read" in done.stderr, done.stderr
    return out


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_kb_new_writes_the_draft_and_a_runbook_with_the_umask_s_mode(night: Path, tmp_path: Path, umask: int, mode: int):
    cluster = json.loads((night / "summary.json").read_text())["clusters"][0]["id"]
    out = run("kb", "new", "--from-cluster", cluster, "--report", str(night), "--out", "our-kb/firmware-crc.yaml",
              cwd=tmp_path, umask=umask)
    assert out.returncode == 0, out.stderr
    assert out.stdout == ("wrote our-kb/firmware-crc.yaml and our-kb/runbooks/firmware-crc.md: edit the title, category, "
                          "examples and runbook, then `faultlens kb lint --kb our-kb`\n")
    for written in ("our-kb/firmware-crc.yaml", "our-kb/runbooks/firmware-crc.md"):
        assert stat.S_IMODE((tmp_path / written).stat().st_mode) == mode
    assert sorted(p.name for p in (tmp_path / "our-kb").rglob("*")) == ["firmware-crc.md", "firmware-crc.yaml", "runbooks"]
    lint = run("kb", "lint", "--kb", "our-kb", cwd=tmp_path)
    assert lint.returncode == 0 and lint.stdout.endswith("kb lint: 0 error(s), 1 warning(s)\n"), lint.stdout
    tested = run("kb", "test", "--kb", "our-kb", "--cause", "firmware-crc", cwd=tmp_path)
    assert tested.returncode == 0 and tested.stdout == "kb test: 1 of 1 examples pass\n"


def test_kb_new_keeps_a_runbook_someone_wrote(night: Path, tmp_path: Path):
    cluster = json.loads((night / "summary.json").read_text())["clusters"][0]["id"]
    (tmp_path / "kb" / "runbooks").mkdir(parents=True)
    (tmp_path / "kb" / "runbooks" / "fw.md").write_text("mine\n")
    out = run("kb", "new", "--from-cluster", cluster, "--report", str(night), "--out", "kb/causes/fw.yaml", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("wrote kb/causes/fw.yaml: ")
    assert (tmp_path / "kb" / "runbooks" / "fw.md").read_text() == "mine\n"
