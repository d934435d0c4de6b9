"""What every command shares: global options anywhere on the line, colour, help text, completion.

Kept out of cli.py so the commands stay thin; nothing here imports typer's machinery at start.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

COLOR_CHOICES = ("auto", "always", "never")
GLOBAL_FLAGS = ("--debug",)
GLOBAL_VALUED = ("--color",)

EXIT_CODES = """\b
Exit codes:
  0  explained (check: nothing would fail; other commands: done)
  1  ran fine but nothing explained (check, kb lint, kb test: problems found)
  2  usage or input error: one line on stderr, no traceback (--debug shows it)"""


def epilog(*examples: str) -> str:
    """A command's help tail: its examples (kept as written) and the exit codes."""
    lines = "\n".join(f"  {e}" for e in examples)
    return (f"\b\nExamples:\n{lines}\n\n" if examples else "") + EXIT_CODES


def hoist_globals(argv: Sequence[str]) -> list[str]:
    """The global options (--debug, --color WHEN) moved to the front, wherever they were given,
    so `faultlens explain run/ --debug` means `faultlens --debug explain run/`. Nothing after a
    `--` moves."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest += argv[i:]
            break
        if arg in GLOBAL_FLAGS or any(arg.startswith(f"{opt}=") for opt in GLOBAL_VALUED):
            front.append(arg)
        elif arg in GLOBAL_VALUED:  # with its value; without one, an empty value click rejects
            front += argv[i:i + 2] if i + 1 < len(argv) else [f"{arg}="]
            i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest


def wants_color(choice: str, stream, environ: Mapping[str, str] | None = None) -> bool:
    """--color always/never decide; with auto, NO_COLOR (any value) turns colour off, FORCE_COLOR
    (any value) on, else colour only on a terminal (https://no-color.org, https://force-color.org)."""
    environ = os.environ if environ is None else environ
    if choice != "auto":
        return choice == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def click():
    """The click typer runs on: its own copy since typer 0.28, the click package before."""
    try:
        from typer import _click as module
    except ImportError:  # typer < 0.28
        import click as module
    return module


SHELLS = ("bash", "zsh", "fish")


COMPLETE_VAR = "_FAULTLENS_COMPLETE"


def completion_script(shell: str, prog_name: str = "faultlens") -> str:
    """The shell's completion script. It asks `faultlens` itself for the candidates (typer's
    protocol: the command runs with _FAULTLENS_COMPLETE=complete_<shell>), so new commands and
    options complete at once."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name=prog_name, complete_var=COMPLETE_VAR, shell=shell) + "\n"


def enable_completion(environ: Mapping[str, str] | None = None) -> None:
    """When a shell asks for candidates, register typer's shells (typer does this only when it
    adds its own --install-completion option, which faultlens replaces by `completion SHELL`)."""
    if (os.environ if environ is None else environ).get(COMPLETE_VAR):
        from typer._completion_classes import completion_init

        completion_init()
