"""Global options anywhere on the line; the colour decision."""

from __future__ import annotations

import io

import pytest

from faultlens.cliopts import hoist_globals, wants_color


@pytest.mark.parametrize("argv, hoisted", [
    (["explain", "run/", "--debug"], ["--debug", "explain", "run/"]),
    (["explain", "--color", "never", "run/"], ["--color", "never", "explain", "run/"]),
    (["kb", "lint", "--color=always", "--kb", "x"], ["--color=always", "kb", "lint", "--kb", "x"]),
    (["explain", "--", "--debug"], ["explain", "--", "--debug"]),  # after --, a file named --debug
    (["runbook", "--color"], ["--color=", "runbook"]),  # click then says '' is not a choice
    (["--debug", "explain"], ["--debug", "explain"]),
])
def test_hoist_globals(argv, hoisted):
    assert hoist_globals(argv) == hoisted


class _Tty(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("choice, env, tty, colour", [
    ("auto", {}, True, True),
    ("auto", {}, False, False),
    ("auto", {"NO_COLOR": "1"}, True, False),
    ("auto", {"NO_COLOR": ""}, True, True),  # set but empty: not a request (no-color.org)
    ("auto", {"FORCE_COLOR": "1"}, False, True),
    ("auto", {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, False),
    ("always", {"NO_COLOR": "1"}, False, True),
    ("never", {"FORCE_COLOR": "1"}, True, False),
])
def test_wants_color(choice, env, tty, colour):
    assert wants_color(choice, _Tty() if tty else io.StringIO(), env) is colour
