"""The template miner: what counts as a value, what splits messages, and that the fast (polars)
path and the plain path agree line for line."""

from __future__ import annotations

import random

import pytest

from faultlens import templates
from faultlens.templates import mask, mask_lines, mine


@pytest.mark.parametrize("line, masked", [
    ("uid=0 euid=0 tty=NODEVssh", "uid=<*> euid=<*> tty=NODEVssh"),
    ("connection from 24.54.76.216 (24-54-76-216.bflony.adelphia.net) at Fri Jun 17 07:07:00 2005",
     "connection from <*> (<*>) at <*> <*> <*>"),
    ("connection from 10.0.0.1 () at Sat Jul  9 22:53:19 2005", "connection from <*> (<*>) at <*> <*> <*>"),
    ("estimated size 5.4 KB, free 378.2 KB", "estimated size <*>, free <*>"),
    ("10.11.10.1,10.11.21.138 \"GET /v2/servers HTTP/1.1\" status: 200", "<*> \"GET <*> <*>\" status: <*>"),
    ("blk_-1608999687919862906 at 0x7ffd", "<*> at <*>"),
    ("no value here", "no value here"),
])
def test_mask(line, masked):
    assert " ".join(mask(line).split()) == masked


def test_values_without_digits_merge_but_a_few_frequent_words_are_different_messages():
    users = ["root", "admin", "guest", "oracle", "test", "pi", "ubuntu", "git"]
    lines = [f"Invalid user {u} from 10.0.0.{i}" for i, u in enumerate(users * 3)]
    lines += ["VM Started (Lifecycle Event)"] * 20 + ["VM Stopped (Lifecycle Event)"] * 20 \
        + ["VM Paused (Lifecycle Event)"] * 20
    mined = mine(lines)
    assert len({mined.groups[i] for i in range(24)}) == 1
    assert mined.templates[mined.groups[0]] == "Invalid user <*> from <*>"
    assert len({mined.groups[i] for i in range(24, 84)}) == 3


def test_a_rare_value_among_frequent_ones_is_still_a_value():
    lines = ["session closed for user cyrus"] * 40 + ["session closed for user news"] * 40 \
        + ["session closed for user root"]
    assert len(set(mine(lines).groups)) == 1


def test_lines_with_their_own_line_breaks_are_masked_one_by_one():
    assert mask_lines(["a 1\nb", "c 2"]) == ["a <*>\nb", "c <*>"]


def test_a_long_digit_free_token_is_masked_in_linear_time():
    line = "x" * 2_000_000 + " 5"
    assert mask(line).endswith(" <*>")  # quadratic backtracking would not return


def _noisy_lines(n: int) -> list[str]:
    rng = random.Random(3)
    alphabet = "ab01 :=,;()[]{}\"'\t\x1c\xa0é<*>KBMs-./_Jan Mon"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60))) for _ in range(n)] + [
        "Fri Jun 17 07:07:00 2005 took 5 ms", "size 3 KiB;() []", "<*>,<*>: 1:2", "Monday, Jan. 3 x",
        "lone \ud800 surrogate 5", "own\nline break 7", "digits \u0663 of another script 4"]


def test_the_polars_path_masks_exactly_like_the_plain_path(monkeypatch):
    lines = _noisy_lines(3000)
    monkeypatch.setattr(templates, "POLARS_FROM", 10**9)
    plain, plain_mined = mask_lines(lines), mine(lines)
    monkeypatch.setattr(templates, "POLARS_FROM", 0)
    assert mask_lines(lines) == plain == [mask(line) for line in lines]
    assert mine(lines) == plain_mined
