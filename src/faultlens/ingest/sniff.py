"""What kind of input is this? One table, decided from content (names only break ties).

Each row gives a format, its kind, and a signature a typical line of that format matches. The
format whose signature matches most of the first meaningful lines wins; parsers never guess.
"""

from __future__ import annotations

import re

from msgspec import Struct

from faultlens.ingest.decode import looks_binary

_MODE = r"[-dlcbpsDh][-rwxsStTlL]{9}[.+@]?"
SAMPLE_LINES = 64
MIN_SHARE = 0.6


class Sniffed(Struct, frozen=True):
    kind: str  # log | snapshot | metadata | skipped
    format: str


class _Row(Struct, frozen=True):
    format: str
    kind: str
    line: re.Pattern[str]
    # lines that belong to the format but carry no entry (ls -lR headers, totals, blank)
    filler: re.Pattern[str] | None = None
    # a line that must be present somewhere in the sample (namei's "f: path" header)
    requires: re.Pattern[str] | None = None


_LS_FILLER = re.compile(r"^(?:total \d+(?:\.\d+)?[KMGT]?|.+:)$")

# Order matters on equal shares: the more specific format comes first.
FORMATS: tuple[_Row, ...] = (
    _Row("id", "snapshot", re.compile(r"^uid=\d+(?:\([^)]*\))? gid=\d+")),
    _Row("umask", "snapshot", re.compile(r"^(?:0?[0-7]{3,4}|u=[rwx]*,g=[rwx]*,o=[rwx]*)$")),
    _Row("namei", "snapshot", re.compile(rf"^(?:f: .+|\s*{_MODE}\s+.+|namei: .+)$"), requires=re.compile(r"^f: ")),
    _Row("stat", "snapshot", re.compile(r"^\s*(?:File: .+|Size: \d+\s.*|Device: .*|Access: .*|Modify: .*|Change: .*|Birth: .*)$")),
    _Row("df", "snapshot", re.compile(r"^(?:Filesystem\s+.*(?:Mounted on|Use%|IUse%).*|\S+\s+(?:\d+[KMGTP]?|-)\s+(?:\d+[KMGTP]?|-)\s+(?:\d+[KMGTP]?|-)\s+(?:\d+%|-)\s+/.*)$")),
    _Row("tar-gnu", "snapshot", re.compile(rf"^{_MODE}\s+[^\s/]+/\S+\s+[\d,]+\s+\d{{4}}-\d\d-\d\d \d\d:\d\d(?::\d\d)?\s.+$")),
    _Row("find-ls", "snapshot", re.compile(rf"^\s*\d+\s+\d+\s+{_MODE}\s+\d+\s+\S+\s+\S+\s+.+$")),
    _Row("ls", "snapshot", re.compile(rf"^{_MODE}\s+\d+\s+\S+\s+(?:\S+\s+)?(?:\d+|\d+,\s*\d+|[\d.]+[KMGTP]?)\s+\S+\s+\S+\s+\S+\s.*$"), _LS_FILLER),
    _Row("find-printf", "snapshot", re.compile(rf"^{_MODE}\s+\S+\s+\S+\s+\d+\s+\S.*$")),
    _Row("find-printf-octal", "snapshot", re.compile(r"^[0-7]{3,4}\s+\S+\s+\S+\s+(?:\d+\s+)?\S.*$")),
)

_METADATA_NAMES = ("run.yaml", "run.yml", "faultlens-manifest.txt")
_JUNIT = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<testsuites?[\s>]", re.S)
_TAP = re.compile(r"^(?:TAP version \d+|1\.\.\d+)\s*$")
_TAP_LINE = re.compile(r"^(?:not )?ok\b")
_JOURNALD_KEYS = ("__REALTIME_TIMESTAMP", "_SYSTEMD_UNIT", "SYSLOG_IDENTIFIER", "PRIORITY", "__CURSOR")
_MESSAGE_KEYS = ("message", "msg", "MESSAGE", "log", "@message", "text", "Message")


def sniff(name: str, data: bytes, text: str) -> Sniffed:
    if looks_binary(data):
        return Sniffed("skipped", "binary")
    if name.rsplit("/", 1)[-1].rsplit(":", 1)[-1] in _METADATA_NAMES:
        return Sniffed("metadata", "run-yaml")
    lines = _sample(text)
    if not lines:
        return Sniffed("log", "plain")
    structured = _structured_log(text, lines)
    if structured:
        return Sniffed("log", structured)
    best: tuple[float, _Row] | None = None
    for row in FORMATS:
        if row.requires and not any(row.requires.match(ln) for ln in lines):
            continue
        meaningful = [ln for ln in lines if not (row.filler and row.filler.match(ln))]
        if not meaningful:
            continue
        share = sum(1 for ln in meaningful if row.line.match(ln)) / len(meaningful)
        if share >= MIN_SHARE and (best is None or share > best[0]):
            best = (share, row)
    if best is None:
        return Sniffed("log", "plain")
    return Sniffed(best[1].kind, best[1].format)


def _structured_log(text: str, lines: list[str]) -> str | None:
    if _JUNIT.match(text[:4096]):
        return "junit"
    if _TAP.match(lines[0]) and any(_TAP_LINE.match(ln) for ln in lines[1:]):
        return "tap"
    objects = [_json_object(ln) for ln in lines[:16] if ln.lstrip().startswith("{")]
    objects = [o for o in objects if o is not None]
    if not objects or len(objects) < max(1, len(lines[:16]) // 2):
        return None
    if any(k in o for o in objects for k in _JOURNALD_KEYS) and any("MESSAGE" in o for o in objects):
        return "journald-json"
    if any(k in o for o in objects for k in _MESSAGE_KEYS):
        return "json-lines"
    return None


def _json_object(line: str) -> dict | None:
    import json  # here: most inputs hold no JSON

    try:
        value = json.loads(line)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        return None
    return value if isinstance(value, dict) else None


def _sample(text: str) -> list[str]:
    out = []
    for line in text[: 1 << 16].splitlines():
        if line.strip():
            out.append(line.rstrip())
            if len(out) >= SAMPLE_LINES:
                break
    return out
