"""Release trees, siblings that differ, service account inference, personal accounts."""

from __future__ import annotations

from faultlens.facts.accounts import service_account
from faultlens.facts.context import build_context
from faultlens.facts.permissions import Account
from faultlens.facts.snapshot import Snapshot
from faultlens.facts.trees import outliers, sibling_sets, trees
from faultlens.parse import snapshot_parser
from faultlens.parse.records import SnapshotRecords

RELEASES = """\
/opt/ts/releases:
drwxr-xr-x 3 tester tester 4096 Oct 28 09:12 base-4.1.0
drwxr-xr-x 3 tester tester 4096 Nov 12 14:40 base-4.1.1
drwx------ 3 jdoe   jdoe   4096 Nov 25 02:58 base-4.2.0

/opt/ts/releases/base-4.1.0:
-rw-r--r-- 1 tester tester 1204 Oct 28 09:12 station.cfg
-rwxr-xr-x 1 tester tester 9204 Oct 28 09:12 executive

/opt/ts/releases/base-4.1.1:
-rw-r--r-- 1 tester tester 1204 Nov 12 14:40 station.cfg
-rwxr-xr-x 1 tester tester 9204 Nov 12 14:40 executive

/opt/ts/releases/base-4.2.0:
-rw------- 1 jdoe jdoe 1204 Nov 25 02:58 station.cfg
-rwx------ 1 jdoe jdoe 9204 Nov 25 02:58 executive
"""


def snapshot(*texts: tuple[str, str]) -> Snapshot:
    records = SnapshotRecords()
    for fmt, text in texts:
        records.extend(snapshot_parser(fmt)(text, f"{fmt}.txt"))
    return Snapshot(records)


def test_trees_profile_owner_and_umask():
    all_trees = trees(snapshot(("ls", RELEASES)))
    bad = all_trees["/opt/ts/releases/base-4.2.0"]
    assert (bad.owner, bad.umask.umask, bad.size) == ("jdoe", 0o077, 3)
    assert all_trees["/opt/ts/releases/base-4.1.0"].umask.umask == 0o022


def test_the_release_that_differs_from_its_siblings():
    snap = snapshot(("ls", RELEASES))
    sets = sibling_sets(snap, trees(snap))
    found = outliers(sets, None)  # three siblings: the majority decides
    assert [(o.tree.root, o.differs_in) for o in found] == [("/opt/ts/releases/base-4.2.0", ("owner", "mode"))]
    found = outliers(sets, Account("tester"))  # with an account: the ones it can use decide
    assert [o.tree.root for o in found] == ["/opt/ts/releases/base-4.2.0"]


def test_service_account_from_id_output_wins_over_inference():
    snap = snapshot(("ls", RELEASES), ("id", "uid=1007(station) gid=1007(station) groups=1007(station),1005(floor)\n"))
    account, how = service_account(None, snap, sibling_sets(snap, trees(snap)))
    assert account.name == "station" and account.groups == frozenset({"station", "floor"})
    assert how.how == "inferred from id output (id.txt:1)"


def test_service_account_inferred_from_working_siblings():
    snap = snapshot(("ls", RELEASES))
    account, how = service_account(None, snap, sibling_sets(snap, trees(snap)))
    assert account.name == "tester"
    assert "owner of the sibling releases" in how.how


def test_given_user_takes_groups_from_id_output():
    snap = snapshot(("id", "uid=1001(tester) gid=1001(tester) groups=1001(tester),1005(floor)\n"))
    account, how = service_account("tester", snap, [])
    assert account.groups == frozenset({"tester", "floor"}) and how.how.startswith("given with --user")


def test_no_account_known_reasons_for_any_other_user(kb):
    ctx = build_context(snapshot(("ls", "-rw------- 1 jdoe jdoe 1 Nov 25 02:58 /x\n")), None, [], kb.lexicon)
    assert not ctx.account_known and ctx.service.name is None


def test_personal_accounts(kb):
    ctx = build_context(snapshot(("ls", RELEASES)), "tester", [], kb.lexicon)
    assert ctx.is_personal("jdoe")
    assert not ctx.is_personal("tester")
    assert not ctx.is_personal("root") and not ctx.is_personal("www-data") and not ctx.is_personal("nobody")
    assert ctx.is_personal("1004") and not ctx.is_personal("998")


def test_snapshot_resolves_log_paths_against_relative_listings():
    snap = snapshot(("tar-gnu", "-rw------- jdoe/jdoe 1204 2026-11-25 02:58 base-4.2.0/bin/executive\n"))
    assert snap.resolve("/opt/ts/releases/base-4.2.0/bin/executive") == "base-4.2.0/bin/executive"
    assert snap.resolve("/opt/other/executive") is None
