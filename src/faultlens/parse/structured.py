"""Structured logs read as such: JUnit XML, journald JSON export, JSON lines. Each becomes a
LogText view of its messages, one per line, that keeps the original line numbers.

    <testcase classname="station.PowerTest" name="test_power_on" time="0.1">
      <failure message="assert 4.61 == 5.0" type="AssertionError">Traceback ...</failure>
    {"__REALTIME_TIMESTAMP":"1764040082000000","_SYSTEMD_UNIT":"ts-executive.service","PRIORITY":"3","MESSAGE":"..."}
    {"time":"2026-11-25T03:08:02Z","level":"error","msg":"open /data/x: permission denied"}
"""

from __future__ import annotations

from datetime import datetime, timezone

from faultlens.ingest.decode import to_text
from faultlens.parse.logs import LogText

MESSAGE_KEYS = ("message", "msg", "MESSAGE", "log", "@message", "text", "Message")
TIME_KEYS = ("time", "timestamp", "@timestamp", "ts", "date", "Timestamp")
LEVEL_KEYS = ("level", "severity", "lvl", "loglevel", "Level")
DETAIL_KEYS = ("error", "err", "exception", "exc_info", "stack", "stack_trace", "stacktrace", "caller_error")
# __REALTIME_TIMESTAMP is microseconds since 1970; past the year 9999 it is no time (shown without one)
_LAST_MICROSECOND = 253402300799 * 10**6
_PRIORITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")

View = list[tuple[int, str, "str | None"]]


def junit_view(source: str, raw: bytes) -> LogText:
    """Failures, errors and captured output of each test case, with the test's name as context."""
    text = to_text(raw)
    view: View = []
    state = {"case": None, "element": None, "line": 0, "buffer": []}
    from xml.parsers import expat  # here: most logs are not JUnit XML

    parser = expat.ParserCreate(encoding="utf-8")  # decoded already: the declared encoding is moot

    def start(name, attrs):
        if name == "testcase":
            cls, test = attrs.get("classname", ""), attrs.get("name", "")
            state["case"] = f"{cls}.{test}" if cls else test
        elif name in ("failure", "error", "system-out", "system-err", "skipped"):
            state["element"], state["line"], state["buffer"] = name, parser.CurrentLineNumber, []
            if name in ("failure", "error"):
                head = " ".join(v for v in (attrs.get("type", ""), attrs.get("message", "")) if v)
                view.append((parser.CurrentLineNumber, f"{name.upper()}: {head}".rstrip(), state["case"]))

    def data(chunk):
        if state["element"] is not None:
            state["buffer"].append((parser.CurrentLineNumber, chunk))

    def end(name):
        if name == state["element"]:
            if name != "skipped":
                _emit_text(view, state["buffer"], state["case"])
            state["element"] = None
        elif name == "testcase":
            state["case"] = None

    parser.StartElementHandler, parser.CharacterDataHandler, parser.EndElementHandler = start, data, end
    try:
        parser.Parse(text.encode("utf-8"), True)
    except (expat.ExpatError, ValueError, LookupError):  # truncated, or not XML after all: read it as text
        return LogText.from_bytes(source, raw)
    return LogText.from_view(source, view, text.count("\n") + 1)


def _emit_text(view: View, chunks: list[tuple[int, str]], context: str | None) -> None:
    """Character data arrives in pieces; give each line of it the line it started on."""
    if not chunks:
        return
    line, text = chunks[0][0], "".join(c for _, c in chunks)
    for offset, part in enumerate(text.split("\n")):
        if part.strip():
            view.append((line + offset, part.rstrip(), context))


def journald_view(source: str, raw: bytes) -> LogText:
    """`journalctl -o json`: one entry per line; MESSAGE with time, unit and priority."""
    return _json_lines(source, raw, _journald_line)


def json_lines_view(source: str, raw: bytes) -> LogText:
    """JSON lines from application loggers: the message field, with time, level and error fields."""
    return _json_lines(source, raw, _app_line)


def _json_lines(source: str, raw: bytes, render) -> LogText:
    import json  # here: only JSON logs need it

    text = to_text(raw)
    view: View = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes: kept as text
            entry = None
        if isinstance(entry, dict):
            rendered, context = render(entry)
            view.append((number, rendered, context))
        else:
            view.append((number, line, None))
    return LogText.from_view(source, view, text.count("\n") + (0 if text.endswith("\n") else 1))


def _journald_line(entry: dict) -> tuple[str, str | None]:
    message = entry.get("MESSAGE", "")
    if isinstance(message, list):  # journald exports non-UTF-8 messages as byte arrays
        message = bytes(b for b in message if isinstance(b, int) and 0 <= b < 256).decode("utf-8", "replace")
    when = ""
    stamp = entry.get("__REALTIME_TIMESTAMP")
    if isinstance(stamp, str) and stamp.isascii() and stamp.isdigit() and len(stamp) <= 17 and int(stamp) < _LAST_MICROSECOND:
        when = datetime.fromtimestamp(int(stamp) / 1e6, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    unit = entry.get("_SYSTEMD_UNIT") or entry.get("SYSLOG_IDENTIFIER") or entry.get("_COMM") or ""
    pid = entry.get("_PID")
    priority = entry.get("PRIORITY")
    level = _PRIORITIES[int(priority)] if isinstance(priority, str) and priority in "01234567" and priority else ""
    who = f"{unit}[{pid}]" if pid else unit
    return " ".join(p for p in (when, f"{who}:" if who else "", f"<{level}>" if level else "", str(message)) if p), unit or None


def _app_line(entry: dict) -> tuple[str, str | None]:
    if _is_mongod(entry):
        return _mongod_line(entry)
    message = next((entry[k] for k in MESSAGE_KEYS if k in entry), "")
    when = next((entry[k] for k in TIME_KEYS if k in entry), "")
    level = next((entry[k] for k in LEVEL_KEYS if k in entry), "")
    details = [f"{k}={entry[k]}" for k in DETAIL_KEYS if k in entry and entry[k]]
    parts = [str(when), str(level).upper() if level else "", str(message)] + details
    context = entry.get("logger") or entry.get("service") or entry.get("component")
    return " ".join(p for p in parts if p), str(context) if context else None


# MongoDB 4.4+ logs one JSON object a line: {"t":{"$date":...},"s":"E","c":"STORAGE","id":20557,
# "ctx":"initandlisten","msg":"DBException in initAndListen, terminating","attr":{"error":"..."}}
# - the message is generic and what failed is in `attr` (an error string, or {code, codeName,
# errmsg}), so `attr` is kept whole; `s` is its severity letter
_MONGOD_LEVELS = {"F": "FATAL", "E": "ERROR", "W": "WARNING", "I": "INFO"}


def _is_mongod(entry: dict) -> bool:
    return isinstance(entry.get("t"), dict) and isinstance(entry.get("s"), str) and "ctx" in entry and "msg" in entry


def _mongod_line(entry: dict) -> tuple[str, str | None]:
    import json  # here: only JSON logs need it

    when = entry["t"].get("$date", "")
    severity = entry["s"]
    level = _MONGOD_LEVELS.get(severity, "DEBUG" if severity.startswith("D") else severity)
    parts = [str(when), level, str(entry.get("msg", ""))]
    attr = entry.get("attr")
    if attr:
        parts.append("attr=" + (json.dumps(attr, ensure_ascii=False, separators=(",", ":"))
                                if isinstance(attr, (dict, list)) else str(attr)))
    context = entry.get("c")
    return " ".join(p for p in parts if p), str(context) if context else None


def plain_view(source: str, raw: bytes) -> LogText:
    return LogText.from_bytes(source, raw)


VIEWS = {
    "plain": plain_view,
    "tap": plain_view,  # TAP is read line by line as it stands: "not ok 3 - name" is its own evidence
    "junit": junit_view,
    "journald-json": journald_view,
    "json-lines": json_lines_view,
}
