"""Knowledge-base files, runbooks and report summaries are input: every mistake in them is a
named problem (file:line, exit 2, or a line of `kb lint`), never an "internal error"; YAML
aliases cannot expand into memory or time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faultlens.kb.loader import KBError, load_kb
from faultlens.kb.yamlload import MAX_VALUES, YAMLBoundError, safe_load_bounded
from faultlens.kbtools import lint
from faultlens.match import Matcher
from faultlens.parse.logs import LogText
from faultlens.match import Hits
from faultlens.kb.model import Pattern

ROOT = Path(__file__).resolve().parents[2]
GOOD = "2026-11-20 10:00:01 ERROR write failed: [Errno 28] No space left on device\n"
CAUSE = "id: c\ntitle: t\ncategory: environment\nsummary: s\n"
SIGNAL = "signals:\n  - id: s1\n    log: x\n    weight: 0.5\n"


def faultlens(*args: str, cwd: Path = ROOT, stdin=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "faultlens", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, stdin=stdin)


def _alias_bomb(levels: int) -> str:
    out = '  - &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    return out + "".join(f"  - &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, levels))


def test_alias_bombs_self_reference_and_deep_nesting_are_refused_quickly():
    with pytest.raises(YAMLBoundError, match=r"^run.yaml: YAML expands to more than 100000 values"):
        safe_load_bounded("sources:\n" + _alias_bomb(8), "run.yaml")
    with pytest.raises(YAMLBoundError, match=r"^run.yaml: YAML refers to itself"):
        safe_load_bounded("&a [*a]\n", "run.yaml")
    with pytest.raises(yaml.YAMLError, match="recursive"):  # inside a mapping PyYAML refuses it itself
        safe_load_bounded("a: &a [*a]\n", "run.yaml")
    with pytest.raises(YAMLBoundError, match=r"^run.yaml: YAML nested deeper than 100 levels"):
        safe_load_bounded("a: " + "[" * 150 + "]" * 150 + "\n", "run.yaml")
    with pytest.raises(yaml.YAMLError, match="run.yaml: day is out of range"):
        safe_load_bounded("date: 2026-02-30\n", "run.yaml")
    shared = "base: &b {host: st-01, ok: true}\nrun: {<<: *b, id: 7}\nalso: [*b, *b]\n"
    assert safe_load_bounded(shared, "run.yaml") == {"base": {"host": "st-01", "ok": True},
                                                     "run": {"host": "st-01", "ok": True, "id": 7},
                                                     "also": [{"host": "st-01", "ok": True}] * 2}
    assert MAX_VALUES >= 10_000  # a real run.yaml or cause file is far below


def test_a_kb_cause_alias_bomb_is_a_named_error(tmp_path: Path):
    """L2: 527 bytes gave 6-17 s, 700 MB and a 368 MB cache pickle."""
    (tmp_path / "causes").mkdir()
    bomb = tmp_path / "causes" / "bomb.yaml"
    bomb.write_text(CAUSE + SIGNAL + "sources:\n" + _alias_bomb(8) + "next_steps:\n  - *a6\n")
    with pytest.raises(KBError, match=rf"^{bomb}: YAML expands to more than"):
        load_kb([str(tmp_path)])


@pytest.mark.parametrize("text, message", [
    (CAUSE + "? [a, b]\n: c\n" + SIGNAL, "c.yaml:5: invalid YAML: found a key that is a list or a mapping"),
    (CAUSE + "requires: {a: 1}\n" + SIGNAL, "c.yaml:5: 'requires' must be a list of texts"),
    (CAUSE + "signals:\n  - id: s1\n    fact: [a]\n    weight: 0.5\n", "c.yaml:7: signal 's1': 'fact' must name one signal or fact"),
    (CAUSE + "next_steps: [[a]]\n" + SIGNAL, "c.yaml:5: 'next_steps' must be a list of texts"),
    (CAUSE + SIGNAL + "examples:\n  positive: 5\n", "c.yaml:10: 'positive' must be a list of examples"),
    (CAUSE + "signals:\n  - id: s1\n    then: s1\n    after: [x]\n    weight: 0.5\n", "'after' must name one signal or fact"),
    (CAUSE + "signals:\n  - id: s1\n    then: s1\n    after: s1\n    within: 99999999999999d\n    weight: 0.5\n",
     "duration must look like 30s"),
    (CAUSE + "when: 2026-02-30\n" + SIGNAL, "c.yaml: invalid YAML: day is out of range for month"),
])
def test_malformed_cause_shapes_are_named_errors(tmp_path: Path, text, message):
    """L8: these were 'internal error: TypeError ...'."""
    (tmp_path / "causes").mkdir()
    (tmp_path / "causes" / "c.yaml").write_text(text)
    with pytest.raises(KBError) as err:
        load_kb([str(tmp_path)])
    assert message in str(err.value) and str(err.value).startswith(str(tmp_path))


def test_malformed_signals_file_and_runbook_front_matter_are_named_and_listed_by_lint(tmp_path: Path):
    (tmp_path / "signals.yaml").write_text("signals: [1, 2]\n")
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "runbooks" / "r.md").write_text("---\nid: r\ntitle: \"a\x1bb\"\n---\nbody\n")
    with pytest.raises(KBError, match=r"signals.yaml:1: 'signals' must map names to entries$"):
        load_kb([str(tmp_path)])
    messages = [m.text for m in lint([str(tmp_path)])]
    assert f"{tmp_path}/signals.yaml:1: 'signals' must map names to entries" in messages
    assert f"{tmp_path}/runbooks/r.md:2: invalid front matter: unacceptable character #x001b: control characters are not allowed" in messages


def test_cli_input_mistakes_are_one_line_errors_not_internal_errors(tmp_path: Path):
    (tmp_path / "good.log").write_text(GOOD)
    (tmp_path / "k" / "causes").mkdir(parents=True)
    (tmp_path / "k" / "causes" / "c.yaml").write_text(CAUSE + "signals:\n  - id: s1\n    log: \"(a)\\\\1\"\n    weight: 0.5\n")
    (tmp_path / "rep").mkdir()
    summary = tmp_path / "rep" / "summary.json"
    (tmp_path / "empty").mkdir()
    cases = [
        (("explain", "--kb", "k", "good.log"), None, "k/causes/c.yaml:7: bad pattern '(a)\\\\1': invalid escape sequence: \\1"),
        (("kb", "new", "--from-cluster", "C1", "--report", "rep"), '{"clusters":[{"id":"C1","template":"a <*> b","runs":[]}]}',
         "rep/summary.json: cluster 'C1' lacks its template, example or runs"),
        (("kb", "new", "--from-cluster", "C1", "--report", "rep"), '{"clusters": 5}',
         "rep/summary.json: not a faultlens report summary ('clusters' must be a list of clusters)"),
        # kb new creates a missing folder (issue 15); a file in the way is a one-line error
        (("kb", "new", "--from-cluster", "C1", "--report", "rep", "--out", "good.log/d.yaml"),
         '{"clusters":[{"id":"C1","template":"a <*> b","count":1,"runs":["r"],"example":"a 1 b"}]}',
         "good.log/d.yaml: cannot write: File exists"),  # makedirs: good.log is a file
        (("explain", "empty"), None, "nothing could be read (no file in empty)"),
    ]
    for args, doc, message in cases:
        if doc is not None:
            summary.write_text(doc)
        out = faultlens(*args, cwd=tmp_path)
        assert (out.returncode, out.stderr) == (2, f"faultlens: error: {message}\n")
    closed = subprocess.run(f"{sys.executable} -m faultlens explain - <&-", shell=True, capture_output=True, text=True,
                            cwd=tmp_path, timeout=300)
    assert (closed.returncode, closed.stderr) == (
        2, "faultlens: error: nothing could be read (<stdin>: standard input is closed: nothing to read)\n")


def test_a_pattern_set_too_big_for_re2_falls_back_to_pattern_by_pattern(monkeypatch):
    """L12: ~20,000 patterns and one non-ASCII line: 'internal error: failed to compile Set'."""
    from faultlens.kb import patterns

    small = patterns._options()
    small.max_mem = 1 << 16
    monkeypatch.setattr(patterns, "_options", lambda: small)
    monkeypatch.setattr(patterns.compile_pattern, "__wrapped__", patterns.compile_pattern.__wrapped__)
    regexes = [f"(?i)module{i}x failed with code \\d+ at [a-z]+\\.c:\\d+" for i in range(300)]
    with pytest.raises(patterns.PatternError, match="failed to compile Set"):
        patterns.pattern_set(tuple(regexes))
    matcher = Matcher([Pattern(f"c/s{i}", r) for i, r in enumerate(regexes)])
    hits = Hits()
    matcher.scan(LogText.from_bytes("a.log", "café\nMODULE7X failed with code 3 at io.c:9 é\n".encode()), hits)
    assert [(h.source, h.line) for h in hits.get("c/s7")] == [("a.log", 2)]


KEYS = ["id", "title", "category", "summary", "signals", "requires", "runbook", "next_steps", "examples", "sources",
        "symptom", "log", "use", "fact", "then", "after", "within", "weight", "access", "positive", "negative",
        "inputs", "user", "name", "pattern", "lexicon", "calibration"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.sampled_from(["s1", "x", "disk-full", "environment", "1h", "r", "(a)\\1", "[", "", "2026-02-30"]),
                    st.text(max_size=12))
shapes = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
                      max_leaves=25)
VALID = {"id": "c", "title": "t", "category": "environment", "summary": "s", "runbook": "c",
         "signals": [{"id": "s1", "log": "x", "weight": 0.5}, {"id": "s2", "then": "s1", "after": "s1", "weight": 0.2}],
         "examples": {"positive": [{"log": "x\n"}], "negative": [{"inputs": {"a.log": "y"}}]}}
signal_docs = st.lists(st.dictionaries(st.sampled_from(KEYS), shapes, max_size=6), max_size=3)
# a valid cause with some fields replaced by any shape: the checks deep inside are reached
cause_docs = st.builds(lambda over, sigs: {**VALID, **over, **({"signals": VALID["signals"] + sigs} if sigs else {})},
                       st.dictionaries(st.sampled_from(KEYS[:11]), shapes, max_size=3), signal_docs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(cause=cause_docs, signals=st.one_of(st.none(), shapes), book=st.one_of(st.none(), shapes))
def test_kb_lint_on_any_shape_lists_problems_and_never_raises(tmp_path_factory, cause, signals, book):
    folder = tmp_path_factory.mktemp("kb")
    (folder / "causes").mkdir()
    (folder / "causes" / "c.yaml").write_text(yaml.safe_dump(cause))
    if signals is not None:
        (folder / "signals.yaml").write_text(yaml.safe_dump({"signals": signals}))
    if book is not None:
        (folder / "runbooks").mkdir()
        (folder / "runbooks" / "c.md").write_text("---\n" + yaml.safe_dump(book) + "---\nbody\n")
    messages = lint([str(folder)])
    assert all(m.level in ("error", "warning") and m.text for m in messages)
