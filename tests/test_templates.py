"""The template miner: what counts as a value, what splits messages, and that the fast (polars)
path and the plain path agree line for line."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

from faultlens import templates
from faultlens.templates import DEFAULT, Config, mask, mask_lines, mine, mine_masked


@pytest.mark.parametrize("line, masked", [
    ("uid=0 euid=0 tty=NODEVssh", "uid=<*> euid=<*> tty=NODEVssh"),
    ("connection from 24.54.76.216 (24-54-76-216.bflony.adelphia.net) at Fri Jun 17 07:07:00 2005",
     "connection from <*> (<*>) at <*>"),
    ("connection from 10.0.0.1 () at Sat Jul  9 22:53:19 2005", "connection from <*> (<*>) at <*>"),
    ("BLOCK* ask 10.0.0.1:50010 to delete  blk_1 blk_-2 blk_3", "BLOCK* ask <*> to delete <*>"),
    ("Error loading /bgl/apps/new.raptor.trace: invalid image", "Error loading <*>: invalid image"),
    ("adding path spec: /ws/* and ~/x and http://example.org/a", "adding path spec: <*> and <*> and <*>"),
    ("rhost=csnsu.nsuok.edu user=root for mail.example.com.", "rhost=<*> user=root for <*>"),
    ("I/O error on org.apache.Foo", "I/O error on org.apache.Foo"),
    ("estimated size 5.4 KB, free 378.2 KB", "estimated size <*>, free <*>"),
    ("10.11.10.1,10.11.21.138 \"GET /v2/servers HTTP/1.1\" status: 200", "<*> \"GET <*>\" status: <*>"),
    ("blk_-1608999687919862906 at 0x7ffd", "<*> at <*>"),
    ("no value here", "no value here"),
])
def test_mask(line, masked):
    assert " ".join(mask(line).split()) == masked


def test_generic_masks_can_be_turned_off():
    assert mask("open /etc/passwd", Config(paths=False)) == "open /etc/passwd"
    assert mask("from a.example.com", Config(hosts=False)) == "from a.example.com"
    assert mask("at 1 2 3", Config(join=False)) == "at <*> <*> <*>"


def _one_group(lines: list[str], config: Config = DEFAULT) -> bool:
    return len(set(mine(lines, config).groups)) == 1


def test_a_list_of_values_of_any_length_is_one_value():
    lines = [f"BLOCK* ask 10.0.0.{i}:50010 to delete " + " ".join(f"blk_{i}{j}" for j in range(i % 5 + 1))
             for i in range(20)]
    assert _one_group(lines)
    assert mine(lines).templates == ["BLOCK* ask <*> to delete <*>"]
    assert not _one_group(lines, Config(join=False, optional=False))


def test_a_value_of_several_words_meets_its_one_word_kin():
    """Proxifier-like: some programs carry a "*64" after their name, a token more."""
    programs = ["chrome.exe", "firefox.exe", "Dropbox.exe", "putty.exe", "git.exe", "ssh.exe", "curl.exe"]
    lines = [f"{p} - host{i}.example.net:443 open through proxy proxy.example.net:5070 HTTPS"
             for i, p in enumerate(programs * 3)]
    lines += [f"{p} *64 - host{i}.example.net:443 open through proxy proxy.example.net:5070 HTTPS"
              for i, p in enumerate(["svchost.exe", "explorer.exe", "Skype.exe", "java.exe"] * 2)]
    assert _one_group(lines)
    assert mine(lines).templates == ["<*> - <*> open through proxy <*> HTTPS"]
    assert not _one_group(lines, Config(join=False, optional=False))


def test_a_word_where_the_others_have_a_value_is_a_value():
    lines = [f"reverse mapping checking getaddrinfo for host-{i}.dsl.example.net [10.0.0.{i}] failed" for i in range(30)]
    lines.append("reverse mapping checking getaddrinfo for ns.marryaldkfaczcz [10.0.0.99] failed")
    assert _one_group(lines)
    assert not _one_group(lines, Config(slots=False, absorb=0))
    rhost = [f"authentication failure; rhost={h} user=root" for h in ["10.0.0.1", "10.0.0.2", "10.9.0.3"] * 5]
    rhost += ["authentication failure; rhost=csnsu.nsuok user=root"]
    assert _one_group(rhost)
    assert mine(rhost).templates == ["authentication failure; rhost=<*> user=root"]


def test_words_the_log_uses_as_values_elsewhere_are_values():
    users = ["root", "admin", "guest", "oracle", "test", "pi", "ubuntu", "git"]
    lines = [f"session opened for user {u}" for u in users * 2]
    lines += ["Too many authentication failures for root [preauth]"] * 2
    lines += ["Too many authentication failures for admin [preauth]"]
    groups = mine(lines).groups
    assert len(set(groups[-3:])) == 1
    assert len(set(mine(lines, Config(vocab=False)).groups[-3:])) == 2


def test_a_value_known_elsewhere_is_known_behind_its_key():
    users = ["root", "admin", "guest", "oracle", "test", "pi", "ubuntu", "git"]
    lines = [f"Invalid user {u} from 10.0.0.{i}" for i, u in enumerate(users * 2)]
    lines += [f"authentication failure; rhost=10.0.0.{i} user={u}" for i, u in enumerate(["root"] * 30 + ["admin"] * 2)]
    mined = mine(lines, Config(rare=1))
    assert len(set(mined.groups[16:])) == 1
    assert mined.templates[mined.groups[-1]] == "authentication failure; rhost=<*> user=<*>"
    assert len(set(mine(lines, Config(rare=1, vocab=False)).groups[16:])) == 2


def test_an_empty_value_is_still_the_value():
    users = ["root", "admin", "guest", "oracle", "test", "pi", "ubuntu", "git"]
    lines = [f"Invalid user {u} from 10.0.0.{i}" for i, u in enumerate(users * 2)] + ["Invalid user  from 10.0.0.77"]
    assert _one_group(lines)
    assert mine(lines).templates == ["Invalid user <*> from <*>"]
    assert not _one_group(lines, Config(optional=False))


def test_a_rare_line_that_fits_a_far_commoner_template_joins_it():
    """Its own words outnumber the ones it shares: Brain gives it a root of its own."""
    lines = [f"10.0.0.{i} GET /a/{i} size {i * 7} ok" for i in range(40)]
    odd = "alpha GET beta size gamma ok"
    far_rarer = Config(absorb=8)
    assert _one_group(lines + [odd], far_rarer)
    assert mine(lines + [odd], far_rarer).templates == ["<*> GET <*> size <*> ok"]
    assert not _one_group(lines + [odd], Config(absorb=0))
    assert not _one_group(lines[:10] + [odd] * 5, far_rarer)  # not far rarer: two messages

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
        + ["session closed for user games"] * 40 + ["session closed for user root"]
    assert len(set(mine(lines).groups)) == 1
    assert len(set(mine(lines, Config(rare=0)).groups)) == 4


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


@pytest.mark.parametrize("config", [DEFAULT, Config(paths=False, join=False, hosts=False)])
def test_the_polars_path_masks_exactly_like_the_plain_path(monkeypatch, config):
    lines = _noisy_lines(3000) + ["open /etc/x.conf", "from a.example.com:22", "ids 1 2 3", "x ~/a http://b",
                                  "to a.example.com", "b.example.org first"]  # a host ends a line, one starts the next
    monkeypatch.setattr(templates, "POLARS_FROM", 10**9)
    plain, plain_mined = mask_lines(lines, config), mine(lines, config)
    monkeypatch.setattr(templates, "POLARS_FROM", 0)
    assert mask_lines(lines, config) == plain == [mask(line, config) for line in lines]
    assert mine(lines, config) == plain_mined == mine_masked(plain, config)


def test_groups_are_numbered_by_first_appearance():
    mined = mine(["b 1", "a x", "b 2", "c y", "a x"])
    assert mined.groups == [0, 1, 0, 2, 1]
    assert mined.templates == ["b <*>", "a x", "c y"]


def _bench(name: str):
    """A bench/templates module under a name of its own (bench/accuracy has a run.py too)."""
    folder = Path(__file__).resolve().parent.parent / "bench" / "templates"
    saved = list(sys.path)  # run.py puts its folders first to import loghub and station by name
    try:
        spec = importlib.util.spec_from_file_location(f"bench_templates_{name}", folder / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


def _loghub():
    return _bench("loghub")


def test_leave_one_out_picks_without_the_left_out_system():
    run = _bench("run")
    a, b, c = Config(min_distinct=2), Config(min_distinct=3), Config(min_distinct=4)
    grid = [a, b, c]
    # a is best on x and y, but fails z; b is good everywhere; c ties b where both are scored
    matrix = {("x", a): (1.0, 1.0), ("y", a): (1.0, 1.0), ("z", a): (0.0, 0.0),
              ("x", b): (0.9, 0.9), ("y", b): (0.9, 0.9), ("z", b): (0.9, 0.9),
              ("x", c): (0.9, 0.9), ("y", c): (0.9, 0.9), ("z", c): (0.9, 0.9)}
    assert run._pick(matrix, ["x", "y", "z"], grid) == b  # in-sample: a's failure on z counts
    assert run._pick(matrix, ["x", "y"], grid) == a  # z left out: a looks best, and scores 0 on z
    assert run._pick(matrix, ["y", "z"], [c, b]) == c  # a tie goes to the grid's first...
    sizes = {(n, cfg): 10 for n in "xyz" for cfg in grid} | {("y", b): 9}
    assert run._pick(matrix, ["y", "z"], [c, b], sizes) == b  # ...after the one with fewer templates
    assert run.configs()[0] == Config(**{f: v[0] for f, v in run.GRID.items()})
    assert DEFAULT in run.configs() and len(run.configs()) == len(set(run.configs()))


def test_grouping_accuracy_and_its_f1():
    scores = _loghub().scores
    truth = ["A", "A", "B", "C", "C", "D"]
    assert scores(truth, [1, 1, 2, 3, 3, 4]) == (1.0, 1.0)
    # A right (2 lines), B and D merged (wrong), C split (wrong): GA 2/6; PGA 1/4, RGA 1/4
    ga, fga = scores(truth, [1, 1, 2, 3, 5, 2])
    assert ga == pytest.approx(2 / 6) and fga == pytest.approx(0.25)
    # B alone right: GA 1/6; PGA 1/2, RGA 1/4, FGA = 2 * 1/8 / (3/4) = 1/3
    ga, fga = scores(truth, [1, 1, 2, 1, 1, 1])
    assert ga == pytest.approx(1 / 6) and fga == pytest.approx(1 / 3)
    assert scores(["A", "B"], [1, 1]) == (0.0, 0.0)
