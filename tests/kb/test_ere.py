"""kb patterns --ere: grep -E finds exactly the lines the knowledge base's RE2 patterns find."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from faultlens.kb.ere import NotPortable, to_ere
from faultlens.kb.patterns import compile_pattern

ROOT = Path(__file__).resolve().parents[2]


def corpus(kb) -> list[str]:
    lines = [line for cause in kb.causes.values() for ex in cause.examples for text in ex.inputs.values()
             for line in text.splitlines()]
    for log in (ROOT / "samples" / "passing").glob("*.log"):
        lines += log.read_text().splitlines()
    for case in yaml.safe_load((ROOT / "bench" / "accuracy" / "cases.yaml").read_text()):
        lines += case["lines"]
    return [line.replace("\r", "^M") for line in lines if line.strip()]


@pytest.mark.skipif(shutil.which("grep") is None, reason="no grep")
def test_grep_with_the_exported_eres_matches_the_same_lines(kb, tmp_path: Path):
    export = subprocess.run([sys.executable, "-m", "faultlens", "kb", "patterns", "--ere"], capture_output=True, text=True)
    assert export.returncode == 0
    eres = export.stdout.splitlines()
    assert len(eres) == len(kb.patterns())
    lines = corpus(kb)
    (tmp_path / "corpus.txt").write_text("\n".join(lines) + "\n")
    (tmp_path / "patterns.txt").write_text(export.stdout)
    grep = subprocess.run(["grep", "-E", "-n", "-f", str(tmp_path / "patterns.txt"), str(tmp_path / "corpus.txt")],
                          capture_output=True, text=True, env={"LC_ALL": "C.UTF-8"})
    by_grep = {int(line.split(":", 1)[0]) for line in grep.stdout.splitlines()}
    regexes = [compile_pattern(p.regex) for p in kb.patterns()]
    by_re2 = {n for n, line in enumerate(lines, 1) if any(r.search(line.encode()) for r in regexes)}
    assert len(by_re2) > 200
    assert by_grep == by_re2, [lines[n - 1] for n in sorted(by_grep ^ by_re2)][:5]


def test_translation():
    assert to_ere(r"(?i)denied|\bEROFS\b") == r"[dD][eE][nN][iI][eE][dD]|\b[eE][rR][oO][fF][sS]\b"
    assert to_ere(r"(?:a|b)\d+[^\n]*x[\w.-]") == r"(a|b)[0-9]+.*x[[:alnum:]_.-]"
    with pytest.raises(NotPortable):
        to_ere(r"(?P<x>a)")
