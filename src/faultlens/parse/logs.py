"""Log text as the matcher sees it: normalized UTF-8 bytes, original line numbers.

Lines are never split into Python strings up front: the matcher scans the whole buffer with one
compiled pattern and only the lines that match are cut out and numbered.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from msgspec import Struct, field

from faultlens.ingest.decode import to_utf8
from faultlens.ingest.sources import Head


class LogText(Struct, frozen=True):
    """The text the matcher scans. For a plain log it is the file itself; for a structured log
    (JUnit XML, journald JSON...) it is a view of its messages, one per line, with `line_map`
    giving each view line's line in the original file and `contexts` what it belongs to
    (a test case, a unit)."""

    source: str
    data: bytes  # normalized UTF-8, "\n" line ends
    line_map: tuple[int, ...] | None = None  # view line i+1 -> original line number
    contexts: dict[int, str] = field(default_factory=dict)  # view line number -> context
    original_lines: int | None = None
    lines_before: int = 0  # lines of the file before data (the head of a big file): added to every number
    head: Head | None = None  # the rest of a big file, on disk: Matcher.scan_file scans it in pieces
    ascii: bool = False  # data is known to be ASCII (False: not known)
    breaks: int | None = None  # the line breaks in data, once counted (the scan counts them on its way)

    @classmethod
    def from_bytes(cls, source: str, raw: bytes) -> "LogText":
        data = to_utf8(raw)
        return cls(source, data, ascii=data is raw)  # to_utf8 returns only ASCII text untouched

    @classmethod
    def from_view(cls, source: str, lines: list[tuple[int, str, str | None]], original_lines: int) -> "LogText":
        """A view built from (original line, text, context) triples."""
        text = "\n".join(t.replace("\n", " | ") for _, t, _ in lines)
        contexts = {i: c for i, (_, _, c) in enumerate(lines, start=1) if c}
        return cls(source, to_utf8(text.encode("utf-8", "replace")), tuple(n for n, _, _ in lines), contexts,
                   original_lines)

    @property
    def line_count(self) -> int:
        if self.original_lines is not None:
            return self.original_lines
        if not self.data:
            return 0
        return self.line_breaks + (0 if self.data.endswith(b"\n") else 1)

    @property
    def line_breaks(self) -> int:
        return self.breaks if self.breaks is not None else self.data.count(b"\n")

    def original_line(self, view_line: int) -> int:
        if self.line_map is not None and 0 < view_line <= len(self.line_map):
            view_line = self.line_map[view_line - 1]
        return view_line + self.lines_before

    def line_bounds(self, offset: int) -> tuple[int, int]:
        """Start and end (exclusive, without the newline) of the line holding offset."""
        start = self.data.rfind(b"\n", 0, offset) + 1
        end = self.data.find(b"\n", offset)
        return start, (len(self.data) if end < 0 else end)

    def lines(self):
        """(original line number, text) for every line: for statistics, not the hot path."""
        for number, line in enumerate(self.data.decode("utf-8", "replace").split("\n"), start=1):
            yield self.original_line(number), line

    def block_around(self, start: int, end: int) -> tuple[int, int]:
        """The stack trace a line belongs to, as byte offsets: the "Traceback" header and frames
        above a Python exception line, the `at ...` / `Caused by:` / goroutine lines below a
        Java, Node or Go error line. Just the line itself when it is in no trace."""
        data = self.data
        first = start
        # upwards: indented frames up to a Python "Traceback (most recent call last):"
        probe, steps = start, 0
        while probe > 0 and steps < MAX_TRACE_LINES:
            prev_start = data.rfind(b"\n", 0, probe - 1) + 1
            prev = data[prev_start:probe - 1]
            if _TRACE_HEAD.search(prev):
                first = prev_start
                break
            if not prev[:1].isspace():
                break
            probe, steps = prev_start, steps + 1
        # downwards: frames and causes
        last, steps = end, 0
        while last < len(data) and steps < MAX_TRACE_LINES:
            next_end = data.find(b"\n", last + 1)
            next_end = len(data) if next_end < 0 else next_end
            if not _TRACE_TAIL.match(data[last + 1:next_end]):
                break
            last, steps = next_end, steps + 1
        return first, last


MAX_TRACE_LINES = 40
_TRACE_HEAD = re.compile(rb"Traceback \(most recent call last\):\s*$")
_TRACE_TAIL = re.compile(rb"(?:\s+at |\s+\.\.\. \d+ more|Caused by: |\s+File \"|goroutine \d+ \[|\t\S)")


# Time stamps as logs print them at the start of a line (after an optional CI prefix).
_TIMES = (
    (re.compile(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:[.,]\d+)?(Z|z| ?[+-]\d\d:?\d\d)?"), lambda m: _iso_time(m)),
    (re.compile(r"^\[?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d:\d\d:\d\d)"), lambda m: _syslog_time(m)),
    (re.compile(r"^\[(\d\d:\d\d:\d\d)(?:\.\d+)?\]"), lambda m: datetime.fromisoformat(f"1900-01-01T{m[1]}")),
)


_HOST = re.compile(r"^(?:\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?|[A-Z][a-z]{2} +\d+ \d\d:\d\d:\d\d) "
                   r"([A-Za-z0-9][\w.-]*) [\w./-]+(?:\[\d+\])?: ")


def line_host(text: str) -> str | None:
    """The host a syslog-style line names: `Nov 25 03:08:02 station-07 executive[1513]: ...`."""
    m = _HOST.match(text)
    return m[1] if m else None


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


def _iso_time(m: re.Match) -> datetime:
    """An ISO time; one with a zone (`Z`, `+03:00`, `+0300`) is turned into UTC, so that lines
    from hosts in different zones compare as the moments they are. A time without a zone is
    taken as it is (times are naive: a log's own zone is unknown)."""
    at = datetime.fromisoformat(f"{m[1]}T{m[2]}")
    zone = (m[3] or "").strip()
    if not zone:
        return at
    if zone in ("Z", "z"):
        return at
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return at - sign * offset


def _syslog_time(m: re.Match) -> datetime:
    return datetime.strptime(f"1900 {m[1]} {m[2]} {m[3]}", "%Y %b %d %H:%M:%S")
