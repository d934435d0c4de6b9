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
