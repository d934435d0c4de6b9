"""Log text as the matcher sees it: normalized UTF-8 bytes, original line numbers.

Lines are never split into Python strings up front: the matcher scans the whole buffer with one
compiled pattern and only the lines that match are cut out and numbered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from faultlens.ingest.decode import to_utf8


@dataclass(frozen=True)
class LogText:
    source: str
    data: bytes  # normalized UTF-8, "\n" line ends

    @classmethod
    def from_bytes(cls, source: str, raw: bytes) -> "LogText":
        return cls(source, to_utf8(raw))

    @property
    def line_count(self) -> int:
        if not self.data:
            return 0
        return self.data.count(b"\n") + (0 if self.data.endswith(b"\n") else 1)

    def line_bounds(self, offset: int) -> tuple[int, int]:
        """Start and end (exclusive, without the newline) of the line holding offset."""
        start = self.data.rfind(b"\n", 0, offset) + 1
        end = self.data.find(b"\n", offset)
        return start, (len(self.data) if end < 0 else end)

    def lines(self):
        """(number, text) for every line: for small inputs and statistics, not the hot path."""
        for number, line in enumerate(self.data.decode("utf-8", "replace").split("\n"), start=1):
            yield number, line


# Time stamps as logs print them at the start of a line (after an optional CI prefix).
_TIMES = (
    (re.compile(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)"), lambda m: datetime.fromisoformat(f"{m[1]}T{m[2]}")),
    (re.compile(r"^\[?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d:\d\d:\d\d)"), lambda m: _syslog_time(m)),
    (re.compile(r"^\[(\d\d:\d\d:\d\d)(?:\.\d+)?\]"), lambda m: datetime.fromisoformat(f"1900-01-01T{m[1]}")),
)


def line_time(text: str) -> datetime | None:
    """The time a log line carries near its start, if any (syslog lines get year 1900)."""
    head = text[:64]
    for pattern, build in _TIMES:
        m = pattern.search(head)
        if m:
            try:
                return build(m)
            except ValueError:
                return None
    return None


def _syslog_time(m: re.Match) -> datetime:
    return datetime.strptime(f"1900 {m[1]} {m[2]} {m[3]}", "%Y %b %d %H:%M:%S")
