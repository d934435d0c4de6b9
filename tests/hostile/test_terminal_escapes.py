"""Nothing a log, a file or member name, a --kb file or an option controls can drive the
terminal: every such text goes through render.inert (C0/C1 controls, escape sequences, bidi
overrides, undecodable names shown as '?')."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from faultlens.pipeline import explain
from faultlens.render import inert, inert_line, terminal

ROOT = Path(__file__).resolve().parents[2]
GOOD = b"2026-11-20 10:00:01 ERROR write failed: [Errno 28] No space left on device\n"
# ESC (CSI, OSC), BEL, C1 CSI/OSC/ST, bidi override and isolate, a lone surrogate
OBEYED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
OSC52 = "\x1b]52;c;cHduZWQ=\x1b\\"


def faultlens(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "faultlens", *args], capture_output=True, text=True,
                          errors="surrogateescape", cwd=ROOT, timeout=300)


@pytest.mark.parametrize("text, shown", [
    ("a\x1b[2Jb", "a?[2Jb"),
    ("osc \x9d0;C1\x9c end", "osc ?0;C1? end"),
    ("\u202eevil\u202c and \u2066iso\u2069", "?evil? and ?iso?"),
    ("csi \x9b2J", "csi ?2J"),
    ("bad\udcffname", "bad?name"),
    ("tab\tand\nline", "tab\tand\nline"),
    ("café – “ok” 日本", "café – “ok” 日本"),
])
def test_inert_shows_controls_bidi_and_surrogates_as_question_marks(text, shown):
    assert inert(text) == shown
    assert inert_line("a\nb\rc") == "a\\nb\\rc"


def test_file_and_member_names_and_log_text_cannot_reach_the_terminal_raw(tmp_path: Path, kb):
    """M1 (names went out through where() raw) and L6 (inert left C1 and bidi in log text)."""
    run = tmp_path / "run"
    run.mkdir()
    (run / f"{OSC52}\x1b[2J\x1b[H\x1b]0;PWNED\x1b\\station.log").write_bytes(GOOD)
    (run / "c1.log").write_bytes(GOOD[:-1] + " \u009d0;C1\u009c \u202eevil\n".encode())
    bundle = tmp_path / "bundle.tgz"
    with tarfile.open(bundle, "w:gz") as tar:
        info = tarfile.TarInfo("\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\\u202e.log")
        info.size = len(GOOD)
        tar.addfile(info, io.BytesIO(GOOD))
    result = explain([str(run), str(bundle)], kb, user="svc\x1b[2J\x1b]0;T\x07")
    assert len(result.findings[0].evidence) == 3
    out = io.StringIO()
    terminal.render(result, 5, out)
    text = out.getvalue()
    assert not OBEYED.search(text.replace("\n", "").replace("\t", ""))
    assert "?]52;c;cHduZWQ=?\\?[2J?[H?]0;PWNED?\\station.log:1" in text
    assert "service account: svc?[2J?]0;T? (given with --user)" in text


def test_runbook_text_and_user_options_are_printed_inert(tmp_path: Path):
    """L5: a --kb runbook's escapes and --user control characters were printed raw."""
    kb = tmp_path / "kb"
    (kb / "causes").mkdir(parents=True)
    (kb / "runbooks").mkdir()
    (kb / "causes" / "esc.yaml").write_text("id: esc-book\ntitle: t\ncategory: environment\nsummary: s\n"
                                            "runbook: esc-book\nsignals:\n  - id: s1\n    log: ESCBOOK\n    weight: 0.9\n")
    (kb / "runbooks" / "esc-book.md").write_text(f"---\nid: esc-book\ntitle: Esc book\nkeywords: [esc]\n---\n"
                                                 f"Body {OSC52} \x1b[2J cleared \x1bc reset \u202e\n")
    for fmt in ((), ("--format", "markdown")):
        shown = faultlens("runbook", "esc-book", "--kb", str(kb), *fmt)
        assert shown.returncode == 0
        assert shown.stdout == "# Esc book\n\nBody ?]52;c;cHduZWQ=?\\ ?[2J cleared ?c reset ?\n"
    listed = faultlens("runbook", "--kb", str(kb))
    assert listed.returncode == 0 and not OBEYED.search(listed.stdout.replace("\n", ""))
    missing = faultlens("runbook", "qqqqqqqq\x1b]0;T\x07", "--kb", str(kb))
    assert missing.returncode == 1 and "\x1b" not in missing.stderr and missing.stderr.count("\n") == 1


@pytest.mark.parametrize("mask", ["-1", "77777777777", "999", "1000", "0o22", "", "022\x1b[2J"])
def test_check_umask_must_be_an_octal_mask(tmp_path: Path, mask):
    """L15: -1 (every mode bit cleared) and out-of-range masks were accepted."""
    (tmp_path / "rel").mkdir()
    (tmp_path / "rel" / "f").write_text("x\n")
    out = faultlens("check", str(tmp_path / "rel"), "--user", "tester", "--extract-as", "user", "--umask", mask)
    assert out.returncode == 2 and out.stderr.startswith("faultlens: error: --umask must be octal from 000 to 0777")
    assert out.stderr.count("\n") == 1 and "\x1b" not in out.stderr


@pytest.mark.parametrize("mask", ["022", "0077", "777", "0"])
def test_check_umask_in_range_is_accepted(tmp_path: Path, mask):
    (tmp_path / "rel").mkdir()
    (tmp_path / "rel" / "f").write_text("x\n")
    out = faultlens("check", str(tmp_path / "rel"), "--user", "tester", "--extract-as", "user", "--umask", mask)
    assert out.returncode in (0, 1) and out.stderr == ""
