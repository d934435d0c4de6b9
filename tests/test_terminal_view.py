"""The terminal view: rich on a terminal, plain text when piped, the same words either way."""

from __future__ import annotations

import io
import re
from pathlib import Path

from faultlens.pipeline import explain
from faultlens.render import terminal


SAMPLES = Path(__file__).resolve().parent.parent / "samples"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_piped_output_is_the_terminal_output_without_colour(kb, tmp_path, monkeypatch):
    # the log is named relative to its folder: where a tab lands must not depend on how long
    # the temporary folder's path is (it differs by user, TMPDIR and pytest's run number)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tabs.log").write_text("x\tERROR:\tNo space left on device\t\tend\n")
    piped = {}
    for name, inputs in (("floor", [str(SAMPLES / "floor-down")]), ("tabs", ["tabs.log"]),
                         ("passing", [str(SAMPLES / "passing")])):
        result = explain(inputs, kb)
        out, tty = io.StringIO(), _Terminal()
        terminal.render(result, 5, out)
        terminal.render(result, 5, tty)
        assert "\x1b[" in tty.getvalue() and "\x1b[" not in out.getvalue()
        assert _ANSI.sub("", tty.getvalue()) == out.getvalue()
        piped[name] = out.getvalue()
    assert piped["floor"].startswith("faultlens: Release built under a restrictive umask")
    # tabs expanded to every 8th column, as rich does: "     tabs.log:1  " ends at column 17
    assert "\n     tabs.log:1  x      ERROR:  No space left on device         end  [enospc]\n" in piped["tabs"]


def test_log_text_cannot_style_the_screen(kb, tmp_path):
    log = tmp_path / "evil.log"
    log.write_text("OSError: [Errno 28] No space left on device \x1b[2J[bold red]pwned[/]\n")
    tty = _Terminal()
    terminal.render(explain([str(log)], kb), 5, tty)
    assert "\x1b[2J" not in tty.getvalue() and "[bold red]pwned[/]" in tty.getvalue()
