from __future__ import annotations

from faultlens.parse.logs import LogText
from faultlens.unusual import seen_before, unusual_lines


def test_error_like_lines_first_then_rare_ones(kb):
    lines = [f"heartbeat {i} ok" for i in range(30)]
    lines[10] = "calibration table checksum mismatch on fixture 4: error"
    lines[20] = "switching to backup clock source"
    lines[25] = "0 errors, all good"
    found = unusual_lines([LogText.from_bytes("s.log", "\n".join(lines).encode())], kb.lexicon)
    assert [u.line for u in found[:2]] == [11, 21]
    assert 26 not in [u.line for u in found]


def test_short_logs_show_only_error_like_lines(kb):
    assert unusual_lines([LogText.from_bytes("s.log", b"all good\n")], kb.lexicon) == []


def test_a_rare_message_stands_out_even_when_its_values_have_no_digits(kb):
    lines = [f"session opened for user {u}" for u in ("ann", "bob", "cy", "dee", "eve") * 6]
    lines[7] = "fixture clamp released early"
    found = unusual_lines([LogText.from_bytes("s.log", "\n".join(lines).encode())], kb.lexicon)
    assert [u.line for u in found] == [8]


def test_seen_before_is_the_same_message_with_other_values():
    good = [f"retrying bus {i} after timeout" for i in range(5)] + ["probe card id ok"] * 3
    bad = ["retrying bus 77 after timeout", "probe card id mismatch"]
    assert seen_before(good, bad) == {"retrying bus 77 after timeout"}


def test_lexicon_lines_are_the_lines_a_line_by_line_search_finds(kb):
    """The one-scan classification of error-like and benign lines against the plain per-line
    search, on lines built to trip it: matches at line edges, across lines, near misses."""
    from faultlens.kb.patterns import text_pattern
    from faultlens.unusual import _matching

    rng = __import__("random").Random(11)
    parts = ["error", "errors=0", "0 errors", "no failures", "ok 3", "ERROR:", "denied", "x", " ", "\t",
             "check passed", "timed out", "retry succeeded", "can't", "é", "failed\n", "\n", "ok"]
    text = "".join(rng.choice(parts) for _ in range(5000))
    log = LogText.from_bytes("s.log", text.encode())
    lines = text.split("\n")
    for regex in (kb.lexicon.error_like, kb.lexicon.benign):
        want = {i for i, line in enumerate(lines, start=1) if text_pattern(regex).search(line)}
        assert _matching(log, regex) == want and 50 < len(want) < len(lines)


def _log(tmp_path, last: str):
    lines = [f"heartbeat {i} ok" for i in range(30)] + ["switching to backup clock source", last]
    path = tmp_path / "run.log"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_the_lines_that_stand_out_are_found_only_where_they_are_shown_unless_all_are_asked(kb, tmp_path):
    from faultlens.model import SHOW_UNUSUAL_BELOW
    from faultlens.pipeline import explain

    confident = _log(tmp_path, "ERROR write /var/lib/app/out.json: No space left on device")
    result = explain([confident], kb, all_unusual=False)
    assert result.findings[0].id == "disk-full" and result.findings[0].confidence >= SHOW_UNUSUAL_BELOW
    assert result.unusual_lines == ()  # the terminal, Markdown and GitHub output would not show them
    assert 31 in [u.line for u in explain([confident], kb).unusual_lines]  # JSON shows them always

    unexplained = _log(tmp_path, "fixture 4 calibration drifted")
    assert 31 in [u.line for u in explain([unexplained], kb, all_unusual=False).unusual_lines]
