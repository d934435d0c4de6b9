"""Renderers: the only place that turns results into text. One module per output format."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")


def inert(text: str) -> str:
    """Log text made safe for a terminal: control characters (escape sequences) shown as '?'."""
    return _CONTROL.sub("?", text)


def inert_line(text: str) -> str:
    """For one-line contexts (file names): line breaks shown as \\n, not obeyed."""
    return inert(text.replace("\r", "\\r").replace("\n", "\\n"))


def where(source: str, line: int | None) -> str:
    return f"{source}:{line}" if line else source

