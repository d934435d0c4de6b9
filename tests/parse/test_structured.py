"""Structured log views keep original line numbers and give context."""

from __future__ import annotations

import json

from faultlens.parse.structured import journald_view, json_lines_view, junit_view


def test_junit_view_lines_and_context():
    xml = ('<testsuite name="s">\n<testcase classname="a.B" name="t1">\n'
           '<failure message="x &lt; y" type="AssertionError">line one\nline two</failure>\n'
           '</testcase>\n<testcase name="t2"><error message="boom"/></testcase>\n</testsuite>\n')
    view = junit_view("r.xml", xml.encode())
    lines = [(view.original_line(n), t, view.contexts.get(n)) for n, t in enumerate(view.data.decode().split("\n"), 1)]
    assert lines == [(3, "FAILURE: AssertionError x < y", "a.B.t1"), (3, "line one", "a.B.t1"),
                     (4, "line two", "a.B.t1"), (6, "ERROR: boom", "t2")]


def test_malformed_junit_is_read_as_text():
    view = junit_view("r.xml", b"<testsuite><testcase name='t'><failure>No space left on device\n")
    assert b"No space left on device" in view.data and view.line_map is None


def test_journald_view_decodes_byte_array_messages():
    entries = [{"__REALTIME_TIMESTAMP": "1764040082000000", "_SYSTEMD_UNIT": "a.service", "_PID": "7",
                "PRIORITY": "3", "MESSAGE": [104, 105, 255]}, "not json"]
    raw = "\n".join(json.dumps(e) if isinstance(e, dict) else e for e in entries).encode()
    view = journald_view("j.json", raw)
    first, second = view.data.decode().split("\n")
    assert first == "2025-11-25T03:08:02Z a.service[7]: <err> hi\ufffd"
    assert second == "not json" and view.contexts == {1: "a.service"}


def test_json_lines_view_joins_message_and_error_fields():
    raw = b'{"ts":"t0","level":"error","msg":"upload failed","error":"connect: connection refused\\nretry"}\n'
    view = json_lines_view("a.jsonl", raw)
    assert view.data.decode() == "t0 ERROR upload failed error=connect: connection refused | retry"


def test_json_lines_view_keeps_mongod_attr_and_severity():
    raw = (b'{"t":{"$date":"2021-02-03T13:17:50.652-05:00"},"s":"E",  "c":"STORAGE",  "id":20568,   "ctx":"initandlisten",'
           b'"msg":"Error setting up listener","attr":{"error":{"code":9001,"codeName":"SocketException",'
           b'"errmsg":"Address already in use"}}}\n')
    view = json_lines_view("mongod.log", raw)
    assert view.data.decode() == ('2021-02-03T13:17:50.652-05:00 ERROR Error setting up listener '
                                  'attr={"error":{"code":9001,"codeName":"SocketException","errmsg":"Address already in use"}}')
    assert view.contexts == {1: "STORAGE"}
