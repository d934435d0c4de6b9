"""Renderers: the only place that turns results into text. One module per output format."""

from __future__ import annotations

import re

# What a terminal obeys rather than shows: C0 controls but tab and newline (ESC starts CSI/OSC
# sequences), DEL, C1 controls (U+009B CSI, U+009D OSC, U+009C ST... in 8-bit terminals),
# bidirectional overrides and isolates (text that reads differently than it runs: CVE-2021-42574),
# and lone surrogates (undecodable file names), which no terminal stream can even encode.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def console(file=None, color: bool | None = None):
    """The rich console every terminal view prints through (rich imported only here, on use):
    no wrapping of long log lines, no highlighting or emoji codes applied to log text. `color`
    (the CLI's --color decision) overrides rich's own look at the stream and the environment."""
    from rich.console import Console

    return Console(file=file, soft_wrap=True, highlight=False, emoji=False, force_terminal=color,
                   no_color=None if color is None else not color)


def inert(text: str) -> str:
    """Text from logs, file names, archives, --kb files or the command line made safe for a
    terminal: every character in _CONTROL shown as '?'. The one sanitizer: everything printed
    that a user or a log controls goes through here (or inert_line)."""
    return _CONTROL.sub("?", text)


def inert_line(text: str) -> str:
    """For one-line contexts (file names, titles, --user): line breaks shown as \\n, not obeyed."""
    return inert(text.replace("\r", "\\r").replace("\n", "\\n"))


def where(source: str, line: int | None) -> str:
    """file:line for the reader; the file (or tar member) name made inert."""
    source = inert_line(source)
    return f"{source}:{line}" if line else source


def runs_of(lines: list) -> list[list]:
    """Lines (with .source and .line) cut where the next is not the line after: the blocks of a
    baseline comparison's new lines."""
    out: list[list] = []
    for u in lines:
        if out and (out[-1][-1].source, out[-1][-1].line + 1) == (u.source, u.line):
            out[-1].append(u)
        else:
            out.append([u])
    return out


def shown_blocks(lines: list, limit: int, per_block: int) -> tuple[list[tuple[list, int]], int]:
    """The first blocks of lines (runs_of), each cut at per_block lines, limit lines in all:
    (block's lines shown, how many of its lines are not) and how many lines of the blocks not
    shown are left out."""
    shown: list[tuple[list, int]] = []
    used, left = 0, 0
    for block in runs_of(lines):
        room = min(per_block, limit - used)
        if room <= 0:
            left += len(block)
            continue
        shown.append((block[:room], max(0, len(block) - room)))
        used += len(shown[-1][0])
    return shown, left
