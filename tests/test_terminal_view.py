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


def test_piped_output_is_the_terminal_output_without_colour(kb, tmp_path):
    tabs = tmp_path / "tabs.log"
    tabs.write_text("x\tERROR:\tNo space left on device\t\tend\n")
    piped = {}
    for name, inputs in (("floor", [str(SAMPLES / "floor-down")]), ("tabs", [str(tabs)]),
                         ("passing", [str(SAMPLES / "passing")])):
        result = explain(inputs, kb)
        out, tty = io.StringIO(), _Terminal()
        terminal.render(result, 5, out)
        terminal.render(result, 5, tty)
        assert "\x1b[" in tty.getvalue() and "\x1b[" not in out.getvalue()
        assert _ANSI.sub("", tty.getvalue()) == out.getvalue()
        piped[name] = out.getvalue()
    assert piped["floor"].startswith("faultlens: Release built under a restrictive umask")
    assert "  x       ERROR:  No space left on device" in piped["tabs"]  # tabs expanded as rich does


def test_log_text_cannot_style_the_screen(kb, tmp_path):
    log = tmp_path / "evil.log"
    log.write_text("OSError: [Errno 28] No space left on device \x1b[2J[bold red]pwned[/]\n")
    tty = _Terminal()
    terminal.render(explain([str(log)], kb), 5, tty)
    assert "\x1b[2J" not in tty.getvalue() and "[bold red]pwned[/]" in tty.getvalue()
