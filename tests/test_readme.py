"""Every command README.md shows runs, against the samples, and prints what README says it prints.

Commands come from the code blocks: every line of an `sh` block, and in a plain block every line
that starts with `$ ` (the lines after it, up to the next `$ `, are its output). Output is
compared line by line; a line `...` stands for any number of lines. Normalized only: the
sandbox folder the commands run in is shown as `/tmp` in README, and ISO times with an offset
(the report's generation time) are compared as `<time>`; blank lines at the end do not count.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

# Commands README shows that the suite does not run, and why. Each must still be in README.
SKIPPED = {
    "make demo": "builds the virtual environment the suite already runs in; its command is the first one shown",
    "make test": "runs this suite",
    "faultlens explain station-07.tgz": "placeholder: a bundle made by faultlens collect on a failing host",
    "journalctl -u ts-executive | faultlens explain": "needs a host's systemd journal",
    "faultlens collect /opt/ts/releases --log /var/log/ts --user tester": "needs a failing host (/opt/ts/releases, /var/log/ts)",
    "faultlens collect /opt/ts/releases --log /var/log/ts --user tester --out /tmp/station-07.tgz":
        "needs a failing host (/opt/ts/releases, /var/log/ts)",
    "faultlens explain /tmp/station-07.tgz": "reads the bundle of the collect before it",
    "scp collect.sh station-07: && ssh station-07 sh collect.sh": "needs a remote host",
    "faultlens check sudo_1.9.13p3-1+deb12u4_amd64.deb --user nobody --group nogroup    # exit 0":
        "a Debian package fetched by bench/packages (apt-get download), not in the repository",
    "faultlens check numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.whl --user nobody --umask 077   # exit 1":
        "a wheel fetched by bench/packages (pip download), not in the repository",
    "faultlens check release.tgz --user tester --group floor --format junit > check-results.xml":
        "placeholder: the release a CI job builds",
}
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?[+-]\d\d:\d\d")  # the report's own clock


class Step:
    def __init__(self, command: str, line: int, expected: list[str] | None):
        self.command, self.line, self.expected = command, line, expected


def blocks() -> list[tuple[int, list[Step]]]:
    """(first line, steps) of each README code block holding commands."""
    out = []
    lines = README.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        fence = re.match(r"^```(\w*)$", lines[i])
        if not fence:
            i += 1
            continue
        lang, start, body = fence[1], i + 1, []
        i += 1
        while lines[i] != "```":
            body.append(lines[i])
            i += 1
        i += 1
        steps: list[Step] = []
        if lang == "sh":
            for n, text in enumerate(body):
                command = re.sub(r"\s+# .*$", "", text).strip()
                if command and not command.startswith("#"):
                    steps.append(Step(command, start + n + 1, None))
        elif lang == "":
            for n, text in enumerate(body):
                if text.startswith("$ "):
                    steps.append(Step(text[2:], start + n + 1, []))
                elif steps:
                    steps[-1].expected.append(text)
        if steps:
            out.append((start, steps))
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    """The expected lines in order, each run of them consecutive; `...` skips any lines. Without a
    leading or trailing `...` the output starts or ends there."""
    chunks: list[list[str]] = [[]]
    for line in expected:
        if line.strip() == "...":
            chunks.append([])
        else:
            chunks[-1].append(line)
    at = 0
    for n, chunk in enumerate(chunks):
        if not chunk:
            continue
        anchored = n == 0
        found = next((k for k in range(at, len(actual) - len(chunk) + 1) if actual[k:k + len(chunk)] == chunk), None)
        if found is None or (anchored and found != 0):
            return False
        at = found + len(chunk)
    return at == len(actual) or not chunks[-1]


@pytest.fixture
def sandbox(tmp_path: Path) -> tuple[Path, dict]:
    """README's /tmp and current folder: the samples linked in, `faultlens` on PATH."""
    (tmp_path / "samples").symlink_to(ROOT / "samples")
    bin_dir = tmp_path / ".bin"
    bin_dir.mkdir()
    (bin_dir / "faultlens").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m faultlens "$@"\n')
    (bin_dir / "faultlens").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "FAULTLENS_KB")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return tmp_path, env


def _prepare(step: Step, steps: list[Step], box: Path, env: dict) -> None:
    """What a step needs that an earlier README block made: the night report in /tmp/night."""
    makes_it = re.search(r"\bfaultlens report .* --out /tmp/night\b", step.command)
    if "/tmp/night" in step.command and not makes_it and not (box / "night").exists():
        done = subprocess.run(["faultlens", "report", "samples/floor-night", "--out", str(box / "night")], cwd=box, env=env,
                              capture_output=True, timeout=600)
        assert done.returncode in (0, 1), done.stderr  # 1: floor-night holds a run that cannot be read


@pytest.mark.parametrize("start, steps", blocks(), ids=[f"README.md:{start}" for start, _ in blocks()])
def test_readme_commands_run_and_print_what_readme_shows(start, steps, sandbox):
    box, env = sandbox
    last_code = None
    for step in steps:
        if step.command in SKIPPED:
            continue
        if step.command == "echo $?":
            assert step.expected == [str(last_code)], f"README.md:{step.line}: exit code {last_code}"
            continue
        missing = [tool for tool in ("jq",) if re.search(rf"\b{tool}\b", step.command) and shutil.which(tool) is None]
        if missing:
            pytest.skip(f"README.md:{step.line} pipes into {missing[0]}, which is not installed")
        _prepare(step, steps, box, env)
        command = step.command.replace("/tmp/", f"{box}/")
        done = subprocess.run(["bash", "-c", command], cwd=box, env=env, capture_output=True, text=True, timeout=600)
        last_code = done.returncode
        assert done.returncode in (0, 1) and "Traceback" not in done.stderr, \
            f"README.md:{step.line}: {step.command}\nexit {done.returncode}\n{done.stderr}"
        if step.expected:
            actual = _TIME.sub("<time>", done.stdout.replace(f"{box}/", "/tmp/")).rstrip("\n").splitlines()
            expected = [_TIME.sub("<time>", line) for line in step.expected]
            assert matches(expected, actual), f"README.md:{step.line}: {step.command}\n--- README\n" + \
                "\n".join(expected) + "\n--- actual\n" + "\n".join(actual)


def test_every_skipped_command_is_still_in_readme():
    shown = {step.command for _, steps in blocks() for step in steps}
    assert set(SKIPPED) <= shown, set(SKIPPED) - shown


@pytest.mark.parametrize("expected, actual, ok", [
    (["a", "b"], ["a", "b"], True),
    (["a", "b"], ["a", "b", "c"], False),
    (["a", "..."], ["a", "b", "c"], True),
    (["a", "...", "c"], ["a", "b", "c"], True),
    (["...", "c"], ["a", "b", "c"], True),
    (["b"], ["a", "b"], False),
    (["a", "c"], ["a", "b", "c"], False),
    (["a", "  ...", "c", "..."], ["a", "x", "y", "c", "d"], True),
])
def test_the_output_comparison(expected, actual, ok):
    assert matches(expected, actual) == ok
