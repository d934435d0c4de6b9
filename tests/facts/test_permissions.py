"""Permission reasoning: access by class, traversal of parents, umask inference."""

from __future__ import annotations

import pytest

from faultlens.facts.permissions import Account, allowed, created_mode, infer_umask, permission_class, reach
from faultlens.model import FileEntry

TESTER = Account("tester", frozenset({"tester", "floor"}), 1001)
ROOT = Account("root", frozenset({"root"}), 0)


def f(path="/x", mode=0o644, owner="jdoe", group="jdoe", type="file"):
    return FileEntry(path, type, mode, owner, group)


@pytest.mark.parametrize("entry, want, expected", [
    (f(mode=0o644), "r", True),
    (f(mode=0o600), "r", False),
    (f(mode=0o640, group="floor"), "r", True),  # via a secondary group
    (f(mode=0o640, group="jdoe"), "r", False),
    (f(mode=0o604), "r", True),  # other bits apply to strangers...
    (f(mode=0o064, owner="tester"), "r", False),  # ...but the owner gets the owner bits only
    (f(mode=0o755), "w", False),
    (f(mode=0o644, owner="tester"), "w", True),
    (f(mode=0o644), "x", False),
    (f(mode=0o755), "x", True),
    (f(mode=0o750, group="floor"), "x", True),
    (f(mode=0o777, type="symlink"), "w", True),  # a symlink's own mode is never checked
])
def test_allowed_by_class(entry, want, expected):
    assert allowed(entry, TESTER, want) is expected


def test_owner_matched_by_numeric_uid():
    entry = f(mode=0o600, owner="1001", group="1001")
    assert permission_class(entry, TESTER) == "owner" and allowed(entry, TESTER, "r")


def test_root_reads_anything_but_executes_only_with_some_x():
    assert allowed(f(mode=0o000), ROOT, "r") and allowed(f(mode=0o000), ROOT, "w")
    assert not allowed(f(mode=0o644), ROOT, "x")
    assert allowed(f(mode=0o700), ROOT, "x")
    assert allowed(f(mode=0o000, type="dir"), ROOT, "x")


def test_reach_stops_at_the_first_directory_without_search():
    top = f("/opt", 0o755, "root", "root", "dir")
    private = f("/opt/ts", 0o700, "root", "root", "dir")
    leaf = f("/opt/ts/x.cfg", 0o644, "tester", "tester")
    result = reach(leaf, [top, private], TESTER, "r")
    assert (result.ok, result.blocker, result.blocked_at) == (False, private, "traverse")
    assert reach(leaf, [top], TESTER, "r").ok


def test_reach_on_the_entry_itself():
    script = f("/opt/run.sh", 0o644, "tester", "tester")
    result = reach(script, [], TESTER, "x")
    assert (result.ok, result.blocker, result.blocked_at) == (False, script, "x")
    directory = f("/opt/d", 0o744, "jdoe", "jdoe", "dir")
    assert not reach(directory, [], TESTER, "r").ok  # listing a directory needs r and x


@pytest.mark.parametrize("modes, umask, support", [
    ([(0o600, "file"), (0o700, "file"), (0o700, "dir"), (0o600, "file")], 0o077, 4),
    ([(0o644, "file"), (0o755, "file"), (0o755, "dir")], 0o022, 3),
    ([(0o640, "file"), (0o750, "dir"), (0o640, "file")], 0o027, 3),
    ([(0o664, "file"), (0o775, "dir")], 0o002, 2),
    ([(0o660, "file"), (0o770, "dir"), (0o660, "file"), (0o644, "file")], 0o007, 3),
])
def test_infer_umask(modes, umask, support):
    guess = infer_umask([f(f"/r/{i}", m, type=t) for i, (m, t) in enumerate(modes)])
    assert (guess.umask, guess.support, guess.total) == (umask, support, len(modes))


def test_infer_umask_restrictive_means_others_lose_read():
    assert infer_umask([f(mode=0o600), f(mode=0o700, type="dir")]).restrictive
    assert not infer_umask([f(mode=0o644), f(mode=0o755, type="dir")]).restrictive
    assert infer_umask([f(mode=0o777, type="symlink")]) is None


def test_created_mode_keeps_execute_bits_of_programs():
    assert created_mode(f(mode=0o755), 0o077) == 0o700
    assert created_mode(f(mode=0o644), 0o077) == 0o600
    assert created_mode(f(mode=0o755, type="dir"), 0o027) == 0o750
