"""On any input, parsers, the sniffer, the knowledge-base loader and the renderers return records
or reported problems: never an exception."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faultlens.ingest.decode import to_text
from faultlens.ingest.sniff import sniff
from faultlens.ingest.sources import Blob
from faultlens.kb.loader import KBError, load_kb
from faultlens.parse import snapshot_parser
from faultlens.parse.structured import VIEWS
from faultlens.pipeline import explain_blobs
from faultlens.render import json_out, markdown
from faultlens.render.check_out import as_junit

SNAPSHOT_FORMATS = ("ls", "find-ls", "find-printf", "find-printf-octal", "tar-gnu", "stat", "namei", "id", "umask", "df")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like the formats, so the grammars get deep, plus anything at all.
PIECES = [
    "drwxr-xr-x", "-rw-------", "lrwxrwxrwx", " 1 ", " jdoe ", "jdoe/jdoe", " 1204 ", "Nov 25 02:58 ", "2026-11-25 ",
    "02:58 ", "x -> y", "\n", "f: /opt/x\n", "  File: /x\n", "Access: (0600/-rw-------)  Uid: ( 1/ a)   Gid: ( 1/ a)\n",
    "uid=1(a) gid=1(a)", "u=rwx,g=,o=", "0077", "Filesystem 1K-blocks Used Available Use% Mounted on\n", "100% /",
    "total 12\n", "/opt:\n", "<testsuite>", "{\"MESSAGE\": \"x\"}", "TAP version 13\n", "not ok 1", "\x00", "\xff", "é", "\r",
    "\x1b[31m", "Permission denied", "No space left on device",
]
pieces = st.sampled_from(PIECES)
texts = st.one_of(st.text(max_size=400), st.lists(pieces, max_size=40).map("".join))
raw = st.one_of(st.binary(max_size=400), texts.map(lambda t: t.encode("utf-8", "surrogatepass")))


@SETTINGS
@given(texts)
def test_snapshot_parsers_never_raise(text):
    for fmt in SNAPSHOT_FORMATS:
        records = snapshot_parser(fmt)(text, "x.txt")
        assert all(p.source == "x.txt" for p in records.problems)


@SETTINGS
@given(raw)
def test_sniffer_and_log_views_never_raise(data):
    kind = sniff("x", data, to_text(data))
    if kind.kind == "log":
        VIEWS[kind.format]("x", data)
    for view in VIEWS.values():
        view("x", data)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["a.log", "ls.txt", "id", "r.xml", "j.json"]), raw), min_size=1, max_size=3))
def test_pipeline_and_renderers_never_raise(kb, files):
    result = explain_blobs([Blob(name, data) for name, data in files], [], kb)
    json.loads(json_out.render(result, 5))
    markdown.render(result, 5)


@SETTINGS
@given(st.text(max_size=300))
def test_kb_loader_reports_problems_as_kb_errors(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("kb")
    (folder / "cause.yaml").write_text(text)
    try:
        load_kb([str(folder)])
    except KBError as exc:
        assert str(exc).startswith(str(folder))


@SETTINGS
@given(texts)
def test_check_junit_is_always_xml(text):
    import xml.etree.ElementTree as ET

    from faultlens.check.rules import CheckGroup, CheckReport
    from faultlens.model import FileEntry

    entry = FileEntry(text or "x", "file", 0o600, text[:10], text[:5])
    report = CheckReport(text, "listing", "tester", (CheckGroup("unreadable", "error", text, (entry,), text),), 1, ())
    ET.fromstring(as_junit(report).split("\n", 1)[1])


def test_hypothesis_is_exercising_the_grammars():
    """A guard: the property tests above are worth little if no generated text ever parses. Texts
    built the way `texts` builds them from PIECES (seeded) must give entries or records in a
    real share of cases, so the grammars' deep paths are reached, not only their error paths."""
    import random

    rng = random.Random(7)
    parsed = 0
    for _ in range(300):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))
        records = [snapshot_parser(fmt)(text, "x") for fmt in SNAPSHOT_FORMATS]
        parsed += any(r.entries or r.identities or r.umasks or r.disks for r in records)
    assert parsed >= 30, parsed  # 10 % of the generated texts hold something a grammar reads
