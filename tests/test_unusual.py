from __future__ import annotations

from faultlens.parse.logs import LogText
from faultlens.unusual import template, unusual_lines


def test_template_masks_variable_parts():
    assert template("2026-11-25T02:00:00Z pid 4411 wrote /var/log/x.log in 0.25s at 0x7ffd") == \
        "pid <n> wrote <path> in <n>s at <hex>"


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
