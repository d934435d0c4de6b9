"""The fast paths give the simple path's answer: the Hyperscan prefilter against RE2 alone, and a
big file scanned in pieces by worker processes against the same file read whole."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faultlens import match, prefilter
from faultlens.match import pieces
from faultlens.ingest import sources
from faultlens.kb.model import Pattern
from faultlens.match import Hits, Matcher
from faultlens.parse.logs import LogText
from faultlens.pipeline import explain, explain_blobs

pytestmark = pytest.mark.skipif(prefilter.prefilter(("(?:x)",)) is None, reason="hyperscan not available here")


def _corpus_lines(kb) -> list[str]:
    """Every line of every knowledge-base example (failures and their near misses) plus noise."""
    lines = [line for cause in kb.causes.values() for ex in cause.examples
             for text in ex.inputs.values() for line in text.splitlines()]
    return [line for line in lines if line.isascii()]


def _hits(matcher: Matcher, data: bytes) -> list[tuple]:
    hits = Hits()
    breaks = matcher.scan(LogText.from_bytes("x.log", data), hits)
    return [breaks, hits.counts] + sorted((h.key, h.line, h.text, h.block) for kept in hits.by_key.values() for h in kept)


def _paths(matcher: Matcher, data: bytes, monkeypatch) -> dict[str, list]:
    """The hits of RE2 alone, of Hyperscan + RE2 pattern by pattern (a small log), and of
    Hyperscan lines + RE2's combined pattern (a big log)."""
    answers = {}
    for name, use, start in (("re2", False, 0), ("candidates", True, 1 << 40), ("spans", True, 0)):
        monkeypatch.setattr(match, "USE_PREFILTER", use)
        monkeypatch.setattr(match, "PREFILTER_FROM", start)
        answers[name] = _hits(matcher, data)
    return answers


def test_hyperscan_paths_find_exactly_what_re2_alone_finds(kb, monkeypatch):
    rng = random.Random(5)
    lines = _corpus_lines(kb)
    noise = ["INFO step rf_sweep: PASS", "denied=0 errors=0", "  at com.example.Main(Main.java:12)", "",
             "Traceback (most recent call last):", '  File "x.py", line 3, in <module>']
    text = "\n".join(rng.choice(lines) if rng.random() < 0.3 else rng.choice(noise) for _ in range(20_000))
    matcher = Matcher(kb.patterns(), veto=kb.lexicon.benign)
    answers = _paths(matcher, text.encode(), monkeypatch)
    assert answers["candidates"] == answers["spans"] == answers["re2"]
    assert sum(answers["re2"][1].values()) > 1000  # the comparison is not vacuous


@pytest.mark.parametrize("data", [
    b"", b"\n", b"\n\n", b"disk full\n", b"\ndisk full", b"ok\n\ndisk full\n\n",
    b"x" * 70_000 + b" disk full " + b"y" * 70_000 + b"\nNo space left on device\n",  # a very long line
    b"ok\n" + b"No space left " * 4000 + b"\nok\n",  # thousands of places on one line
])
def test_edges_of_lines_are_seen_alike_by_every_path(data, monkeypatch):
    """Patterns that match at a line's start, at its end, and on an empty line."""
    patterns = [Pattern("empty", "^$"), Pattern("at-end", "full$"), Pattern("at-start", "^disk"),
                Pattern("middle", "No space left"), Pattern("maybe-empty", "y*")]
    answers = _paths(Matcher(patterns), data, monkeypatch)
    assert answers["candidates"] == answers["spans"] == answers["re2"]


def test_a_small_log_with_too_many_places_is_left_to_re2(kb, monkeypatch):
    data = b"".join(b"OSError: [Errno 28] No space left on device %d\n" % i for i in range(3000))
    monkeypatch.setattr(match, "MAX_CANDIDATES", 100)
    matcher = Matcher(kb.patterns(), veto=kb.lexicon.benign)
    assert matcher.prefilter().matches(data, 100) is None
    answers = _paths(matcher, data, monkeypatch)
    assert answers["candidates"] == answers["spans"] == answers["re2"] and answers["re2"][1]["disk-full/enospc"] == 3000


def test_non_ascii_lines_are_left_to_re2(kb, monkeypatch):
    """RE2 folds the long s into s under (?i); Hyperscan on bytes would not: on a line with
    non-ASCII text RE2 decides alone, on the ASCII lines around it Hyperscan still may."""
    rng = random.Random(7)
    lines = _corpus_lines(kb)
    marks = [" \u2713", " \u00e9tape", " \u2192 ok", ""]
    text = "\n".join(rng.choice(lines) + rng.choice(marks) for _ in range(3000))
    text += "\nopen /opt/ts/etc/station.cfg: Permi\u017f\u017fion denied\n" * 3
    matcher = Matcher(kb.patterns(), veto=kb.lexicon.benign)
    answers = _paths(matcher, text.encode(), monkeypatch)
    assert answers["candidates"] == answers["spans"] == answers["re2"]
    assert answers["re2"][1]["eacces"] >= 3 and sum(answers["re2"][1].values()) > 1000
    monkeypatch.setattr(match, "MAX_NON_ASCII_LINES", 10)  # most lines non-ASCII: RE2 alone
    assert _paths(matcher, text.encode(), monkeypatch) == answers


def test_a_small_log_compiles_no_combined_pattern():
    """What makes a small explain fast: RE2 compiles just the patterns Hyperscan points at."""
    matcher = Matcher([Pattern("full", "(?i)no space left on a small host"), Pattern("other", "never seen")])
    hits = Hits()
    matcher.scan(LogText.from_bytes("x.log", b"ok\nNo space left on a small host\n"), hits)
    assert hits.counts == {"full": 1} and not {"_any", "_which"} & set(vars(matcher))


def test_without_a_cache_folder_a_small_log_is_left_to_re2(monkeypatch):
    """Compiling the database for every run (most of a second) would cost more than RE2 alone."""
    monkeypatch.setattr(prefilter, "cache_file", lambda *args: None)
    matcher = Matcher([Pattern("full", "(?i)no space left on a cacheless host")])  # patterns seen nowhere else
    assert matcher.prefilter(small=True) is None and matcher.prefilter() is not None
    hits = Hits()
    matcher.scan(LogText.from_bytes("x.log", b"ok\nNo space left on a cacheless host\n"), hits)
    assert hits.counts == {"full": 1} and "_any" in vars(matcher)  # found by RE2's combined pattern


def test_a_pattern_character_that_folds_onto_ascii_keeps_hyperscan_out():
    """Under (?i) RE2 matches the long s to `s` on an ASCII line, Hyperscan would not."""
    assert prefilter.prefilter(("(?:(?i)\u017fegfault)",)) is None
    assert prefilter.prefilter(("(?:(?i)segfault|\u2715)",)) is not None


def _floor_log(path: Path, kb) -> None:
    rng = random.Random(9)
    lines = _corpus_lines(kb)
    with path.open("w") as fh:
        for i in range(60_000):
            fh.write(rng.choice(lines) if i % 997 == 0 else f"2026-11-25T00:00:{i % 60:02d}Z ts-07 step {i}: PASS denied=0")
            fh.write("\n")


def _utf16_floor_log(path: Path, kb, encoding: str, bom: bool) -> None:
    """The floor log with non-ASCII text on every line (accents, CJK, an emoji: a surrogate pair
    in UTF-16), so that a cut in the wrong place shows."""
    rng = random.Random(11)
    lines = _corpus_lines(kb)
    text = "".join((rng.choice(lines) if i % 997 == 0 else f"2026-11-25T00:00:{i % 60:02d}Z ts-07 étape {i}: PASS 検査 \U0001f600")
                   + "\n" for i in range(60_000))
    path.write_bytes(("\ufeff" if bom else "").encode(encoding) + text.encode(encoding))


def _answer(result) -> list:
    """The causes and their evidence (the lines that stand out in a big file are those of the end it
    holds, by design: README "Known limits")."""
    return [(f.id, f.confidence, [(e.source, e.line, e.text) for e in f.evidence]) for f in result.findings]


def test_a_big_file_in_pieces_on_two_workers_explains_like_the_whole_file(tmp_path: Path, kb, monkeypatch):
    log = tmp_path / "station.log"
    _floor_log(log, kb)
    monkeypatch.setattr(match, "USE_PREFILTER", False)
    whole = explain([str(log)], kb)
    assert not whole.inputs[0].problems
    monkeypatch.setattr(sources, "HELD_BYTES", 200_000)
    monkeypatch.setattr(pieces, "PIECE", 300_000)
    monkeypatch.setattr(match, "USE_PREFILTER", True)
    monkeypatch.setattr(match, "PREFILTER_FROM", 0)
    in_pieces = explain([str(log)], kb)
    assert "scanned in pieces" in in_pieces.inputs[0].problems[0].reason
    assert [(i.kind, i.lines) for i in in_pieces.inputs] == [(i.kind, i.lines) for i in whole.inputs] == [("log", 60_000)]
    assert _answer(in_pieces) == _answer(whole) and len(whole.findings) >= 3


@pytest.mark.parametrize("write, odd", [
    (_floor_log, 0),
    (lambda path, kb: _utf16_floor_log(path, kb, "utf-16-le", True), 1),  # odd sizes: cuts asked for mid code unit
], ids=["ascii", "utf-16"])
def test_a_big_gzipped_log_is_streamed_and_explained_like_the_plain_file(tmp_path: Path, kb, monkeypatch, write, odd):
    import gzip

    log = tmp_path / "station.log"
    write(log, kb)
    packed = tmp_path / "station.log.gz"
    packed.write_bytes(gzip.compress(log.read_bytes()))
    whole = explain([str(log)], kb)
    monkeypatch.setattr(sources, "HELD_BYTES", 200_000 + odd)
    monkeypatch.setattr(sources, "STREAM_CHUNK", 50_000 + odd)
    monkeypatch.setattr(pieces, "PIECE", 300_000 + odd)
    again, open_again = [], pieces._open
    monkeypatch.setattr(pieces, "_open", lambda head: again.append(head) or open_again(head))
    streamed = explain([str(packed)], kb)
    assert not again  # decompressed once: its head was scanned as the reader went to the end it keeps
    assert "decompressed, scanned in pieces" in streamed.inputs[0].problems[0].reason
    assert [(i.kind, i.lines) for i in streamed.inputs] == [("log", 60_000)]
    assert _answer(streamed) == _relabelled(_answer(whole), str(log), str(packed))
    blobs, problems = sources.read_inputs([str(packed)])  # read without a scanner for the head:
    again_read = explain_blobs(blobs, problems, kb)  # it is decompressed again to be scanned
    assert again and _answer(again_read) == _answer(streamed)


def _relabelled(answer: list, old: str, new: str) -> list:
    out = []
    for item in answer:
        if len(item) == 3 and isinstance(item[2], list):  # a finding: (id, confidence, evidence)
            out.append((item[0], item[1], [(new if s == old else s, n, t) for s, n, t in item[2]]))
        else:  # an unusual line
            out.append((new if item[0] == old else item[0], *item[1:]))
    return out


def test_a_gzip_stream_that_breaks_off_keeps_what_came_before(tmp_path: Path, kb, monkeypatch):
    import gzip

    monkeypatch.setattr(sources, "STREAM_CHUNK", 50_000)
    steps = "".join(f"2026-11-25T00:00:{i % 60:02d}Z step {i}: PASS {i * 7919 % 10007}\n" for i in range(20_000))
    text = steps + "OSError: [Errno 28] No space left on device\n" + steps
    packed = gzip.compress(text.encode())
    broken = tmp_path / "live.log.gz"
    broken.write_bytes(packed[: int(len(packed) * 0.8)])
    for held in (100_000, 64 << 20):  # streamed with its end held, and read whole
        monkeypatch.setattr(sources, "HELD_BYTES", held)
        result = explain([str(broken)], kb)
        assert result.findings[0].id == "disk-full" and result.findings[0].evidence[0].line == 20_001
        assert any("truncated gzip data after" in p.reason for i in result.inputs for p in i.problems)


@pytest.mark.parametrize("encoding, bom", [("utf-16-le", True), ("utf-16-be", False)])
def test_a_big_utf16_log_in_pieces_explains_like_the_whole_file(tmp_path: Path, kb, monkeypatch, encoding, bom):
    log = tmp_path / "station.log"
    _utf16_floor_log(log, kb, encoding, bom)
    whole = explain([str(log)], kb)
    # odd sizes: every cut is asked for in the middle of a code unit
    monkeypatch.setattr(sources, "HELD_BYTES", 200_001)
    monkeypatch.setattr(pieces, "PIECE", 300_001)
    in_pieces = explain([str(log)], kb)
    assert "scanned in pieces" in in_pieces.inputs[0].problems[0].reason
    assert [(i.kind, i.lines) for i in in_pieces.inputs] == [(i.kind, i.lines) for i in whole.inputs] == [("log", 60_000)]
    assert _answer(in_pieces) == _answer(whole) and len(whole.findings) >= 3
    assert "\ufffd" not in str(_answer(in_pieces))  # no character was cut in two


line_pieces = st.sampled_from([
    "No space left on device", "Permission denied", "OSError: [Errno 13] ", "FAILED tests/x.py::t", "0 errors",
    "disk full", "Permi\u017f\u017fion denied", "\u212aILLED", "\u2713", "\u2717 ", "\u00e9", " ", "\n", "\n\n", "x" * 300,
    "2026-11-25T00:00:00Z ", "[12:00:00] ", "Traceback (most recent call last):\n", '  File "x.py", line 3\n',
])


@pytest.fixture(scope="module")
def shared_matcher(kb) -> Matcher:
    return Matcher(kb.patterns(), veto=kb.lexicon.benign)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(line_pieces, max_size=60).map("".join))
def test_every_path_gives_re2_alones_answer_on_any_text(shared_matcher, monkeypatch, text):
    """Patterns matching, folding (the long s, the Kelvin sign), vetoed, at line edges, in traces."""
    answers = _paths(shared_matcher, text.encode(), monkeypatch)
    assert answers["candidates"] == answers["spans"] == answers["re2"]


@pytest.mark.parametrize("sample", ["none", "itself", "everything", "overflow", "overflow-once"])
def test_every_plan_of_a_big_log_finds_what_re2_alone_finds(kb, monkeypatch, sample):
    """Whatever the sample makes common (nothing; what this log holds; every string a pattern
    offers, so every pattern is looked for whole), and when a piece holds far more matches than
    the plan expected (scanned for the strings, then the expressions line by line; or, when the
    strings alone are too many too, for the whole patterns), the big-log path's hits are RE2's."""
    rng = random.Random(11)
    lines = _corpus_lines(kb)
    noise = ["INFO step rf_sweep: PASS status=0 errors=0", "denied=0 timeout=30s", "DEBUG using cached release",
             "  at com.example.Main(Main.java:12)", ""]
    data = "\n".join(rng.choice(lines) if rng.random() < 0.2 else rng.choice(noise) for _ in range(20_000)).encode()
    matcher = Matcher(kb.patterns(), veto=kb.lexicon.benign)
    fast = matcher.prefilter()
    fast.plan(b"")  # builds the strings each pattern offers
    samples = {"none": b"", "itself": data[:prefilter.SAMPLE], "overflow": b"", "overflow-once": data[:prefilter.SAMPLE],
               "everything": "\n".join(fast._offered * 20).encode()}
    plan = fast.plan(samples[sample])
    if sample == "overflow":
        monkeypatch.setattr(prefilter, "MAX_STRING_HITS_PER_MIB", 0)
    if sample == "overflow-once":  # the one pass over strings and expressions gives up; the strings alone do not
        monkeypatch.setattr(prefilter, "MAX_STRING_HITS_PER_MIB", 1 << 20)
        ends = prefilter._ends
        monkeypatch.setattr(prefilter, "_ends", lambda db, data, limit, first=None: None if first is not None
                            else ends(db, data, limit))
    if sample == "everything":
        assert plan.strings is None
    elif sample in ("itself", "overflow-once"):
        assert plan.strings is not None and plan.whole is not None  # some patterns looked for whole
    answers = _paths(matcher, data, monkeypatch)
    assert answers["spans"] == answers["re2"]
    assert sum(answers["re2"][1].values()) > 1000
