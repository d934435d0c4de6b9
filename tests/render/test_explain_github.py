"""`explain --format github`: workflow annotations, escaped by the runner's rules."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from faultlens.render.explain_github import command, escape_data, escape_property, render
from tests.conftest import explain_texts

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text, data, prop", [
    ("50% done", "50%25 done", "50%25 done"),
    ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
    ("logs/a,b:c.log", "logs/a,b:c.log", "logs/a%2Cb%3Ac.log"),
    ("%0A", "%250A", "%250A"),  # an already-encoded sequence in a log stays text
])
def test_escaping(text, data, prop):
    assert (escape_data(text), escape_property(text)) == (data, prop)


def test_a_command_drops_empty_properties():
    assert command("notice", "m", file=None, line=None, title="t") == "::notice title=t::m"


def test_each_evidence_line_is_one_annotation_and_log_text_cannot_inject_a_command(kb):
    result = explain_texts(kb, {"ci,run:1.log": "step 3\n::error::fake \x1b[31mOSError: [Errno 28] No space left on device 100%\n"})
    out = render(result, 5)
    lines = out.splitlines()
    assert lines[0] == ("::error file=ci%2Crun%3A1.log,line=2,title=disk-full (confidence "
                        f"{result.findings[0].confidence:.2f})::No space (or no inodes) left on a device [enospc]%0A"
                        "::error::fake OSError: [Errno 28] No space left on device 100%25")
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert len(lines) == sum(len(f.evidence) for f in result.findings[:5])


def test_unexplained_gives_a_notice_and_the_lines_that_stand_out(kb):
    result = explain_texts(kb, {"run.log": "setup ok\nFATAL: fixture 7 refused the handshake\n"})
    assert result.verdict == "unexplained"
    lines = render(result, 5).splitlines()
    assert "::notice title=faultlens found no known cause::no known cause has real support; the lines that stand out follow" in lines
    assert "::notice file=run.log,line=2,title=a line that stands out::FATAL: fixture 7 refused the handshake" in lines


def test_the_command_prints_annotations_for_the_flagship_incident():
    out = subprocess.run([sys.executable, "-m", "faultlens", "explain", "--format", "github", "samples/floor-down"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0 and out.stderr == ""
    first = out.stdout.splitlines()[0]
    assert re.match(r"::error file=samples/floor-down/snapshot/releases-ls-lR\.txt,line=132,"
                    r"title=umask-restrictive-package \(confidence 0\.\d+\)::Release built under a restrictive umask "
                    r"\[umask-077-pattern\]%0A", first), first
