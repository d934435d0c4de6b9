"""Named facts with their summaries and evidence."""

from __future__ import annotations

from faultlens.facts import build_context, derive_facts
from faultlens.match import Hit
from tests.facts.test_trees_and_accounts import RELEASES, snapshot


def facts_for(kb, *texts, user="tester", access_hits=()):
    return derive_facts(build_context(snapshot(*texts), user, list(access_hits), kb.lexicon))


def test_restrictive_umask_tree_names_the_release_owner_and_count(kb):
    facts = facts_for(kb, ("ls", RELEASES))
    fact = facts["restrictive-umask-tree"]
    assert fact.strength == 1.0
    assert fact.summary == ("3 of 3 entries in /opt/ts/releases/base-4.2.0 are mode 0700/0600 owned by jdoe "
                            "(umask 077 explains 3 of 3); the service account tester cannot read them")
    assert [e.line for e in fact.evidence] == [15, 16, 4]
    assert "release-differs-from-siblings" in facts and "personal-account-owner" in facts
    assert "dir-blocks-traversal" not in facts  # the files below are private too: that is the umask


def test_no_restrictive_fact_when_the_service_account_owns_the_files(kb):
    assert "restrictive-umask-tree" not in facts_for(kb, ("ls", RELEASES), user="jdoe")


def test_directory_that_blocks_readable_files(kb):
    namei = ("f: /opt/ts/releases/base-4.2.0/etc/station.cfg\ndrwxr-xr-x root root /\ndrwxr-xr-x root root opt\n"
             "drwx------ root root ts\ndrwxr-xr-x tester tester releases\ndrwxr-xr-x tester tester base-4.2.0\n"
             "drwxr-xr-x tester tester etc\n-rw-r--r-- tester tester station.cfg\n")
    fact = facts_for(kb, ("namei", namei))["dir-blocks-traversal"]
    assert fact.summary.startswith("directory /opt/ts is mode 0700 owned by root")
    assert fact.evidence[0].line == 4


def test_exec_bit_missing_compared_with_sibling_release(kb):
    text = ("/opt/r/base-1/bin:\n-rwxr-xr-x 1 tester tester 812 Nov 20 10:00 run\n"
            "/opt/r/base-2/bin:\n-rw-r--r-- 1 tester tester 830 Nov 25 02:58 run\n")
    fact = facts_for(kb, ("ls", text))["exec-bit-missing"]
    assert fact.strength == 1.0 and "/opt/r/base-2/bin/run (0644)" in fact.summary


def test_world_writable_and_private_key(kb):
    text = ("/home/ci/.ssh:\n-rw-r--r-- 1 ci ci 1679 Nov 25 02:58 id_rsa\n-rw-r--r-- 1 ci ci 400 Nov 25 02:58 id_rsa.pub\n"
            "/srv:\n-rw-rw-rw- 1 root root 10 Nov 25 02:58 shared.cfg\ndrwxrwxrwt 2 root root 10 Nov 25 02:58 tmp\n")
    facts = facts_for(kb, ("ls", text))
    assert facts["private-key-too-open"].summary == "private key files readable by others: /home/ci/.ssh/id_rsa (0644)"
    assert facts["world-writable"].summary == "1 entries are writable by everyone: /srv/shared.cfg (0666)"


def test_denied_paths_are_diagnosed_against_the_snapshot(kb):
    def hit(text):
        return Hit("eacces", "app.log", 7, text)

    cases = [
        ("open /opt/ts/releases/base-4.2.0/station.cfg: permission denied", "r", "denied-path-restrictive-mode"),
        # /opt and /opt/ts are not in the listing: the modes it shows allow the read, the rest is unknown
        ("open /opt/ts/releases/base-4.1.0/station.cfg: permission denied", "r", "denied-path-partly-known"),
        ("open /opt/ts/releases/base-4.1.0/station.cfg for writing: permission denied", "w", "denied-path-wrong-owner"),
        ("bash: /opt/ts/releases/base-4.1.0/station.cfg: Permission denied", "x", "denied-path-not-executable"),
    ]
    for text, access, name in cases:
        facts = facts_for(kb, ("ls", RELEASES), user="runner", access_hits=[(hit(text), access)])
        assert name in facts, text
        assert facts[name].evidence[0] .line == 7


def test_host_umask_and_full_disk(kb):
    facts = facts_for(kb, ("umask", "0077\n"), ("df", "Filesystem 1K-blocks Used Available Use% Mounted on\n/dev/sda1 10 10 0 100% /opt\n"))
    assert facts["host-umask-restrictive"].summary.startswith("umask on the host is 0077")
    assert facts["filesystem-full"].summary == "/opt (/dev/sda1) has 100% of its space used"


WHOLE_PATH = "/:\ndrwxr-xr-x 3 root root 4096 Oct 28 09:12 opt\n/opt:\ndrwxr-xr-x 3 root root 4096 Oct 28 09:12 ts\n" \
             "/opt/ts:\ndrwxr-xr-x 3 root root 4096 Oct 28 09:12 releases\n"


def test_modes_allow_it_only_when_every_directory_on_the_way_is_shown(kb):
    hit = Hit("eacces", "app.log", 7, "open /opt/ts/releases/base-4.1.0/station.cfg: permission denied")
    partial = facts_for(kb, ("ls", RELEASES), user="runner", access_hits=[(hit, "r")])
    assert "/opt, /opt/ts" in partial["denied-path-partly-known"].summary
    assert partial["denied-path-partly-known"].next_steps == ("namei -l /opt/ts/releases/base-4.1.0/station.cfg",)
    whole = facts_for(kb, ("ls", WHOLE_PATH + RELEASES), user="runner", access_hits=[(hit, "r")])
    assert "denied-path-allowed-by-modes" in whole and "denied-path-partly-known" not in whole


def test_a_denied_path_the_listing_lacks_in_a_directory_it_shows_is_a_creation(kb):
    from faultlens.model import Event

    text = "open /opt/ts/releases/base-4.1.0/station.lock: permission denied"
    hit = Hit("eacces", "app.log", 3, text)
    event = Event("lock", "EACCES", "/opt/ts/releases/base-4.1.0/station.lock", "go", "app.log", 3, text)
    facts = derive_facts(build_context(snapshot(("ls", WHOLE_PATH + RELEASES)), "runner", [(hit, "r")], kb.lexicon,
                                       events=(event,)))
    fact = facts["denied-path-wrong-owner"]  # runner may not write into tester's directory
    assert "it did not exist: lock it needs write access to /opt/ts/releases/base-4.1.0" in fact.summary


def test_a_message_that_names_no_path_is_checked_against_the_one_file_listed(kb):
    """getsentry/self-hosted#1222: the path is on the line after "Permission denied", and the
    reader listed that one file (`ls -l sentry/sentry.conf.py`): 0660 root:root."""
    from faultlens.facts.snapshot import Snapshot
    from faultlens.parse import snapshot_parser
    from tests.parse.conftest import fixture_text

    records = snapshot_parser("ls")(fixture_text("ls-prompt-file.txt"), "ls-l.txt")
    hit = Hit("eacces", "log", 2, "    Unable to load configuration file (Permission denied):")
    ctx = build_context(Snapshot(records), None, [(hit, "r")], kb.lexicon)
    assert [(d.path, d.diagnosis) for d in ctx.denied] == [("sentry/sentry.conf.py", "restrictive-mode")]
    named = Hit("eacces", "log", 2, "open /srv/other.conf: permission denied")
    assert build_context(Snapshot(records), None, [(named, "r")], kb.lexicon).denied == []  # another path: not it


def test_a_private_directory_further_up_blocks_a_path_the_listing_does_not_reach(kb):
    """codcodog/Blog#115: nginx refused a file deep under /home/cryven, and `ll /home` showed only
    that home, 0700: nothing below it can be reached by the worker, whatever lies in between."""
    text = "stat() /home/cryven/www/site/js/app.js failed (13: Permission denied)"
    hit = Hit("eacces", "error.log", 1, text)
    home = "$ ll /home\ndrwx------ 41 cryven users 4096 Nov  7 20:43 cryven\n"
    facts = facts_for(kb, ("ls", home), user="www-data", access_hits=[(hit, "r")])
    assert "the directory /home/cryven (0700, owner cryven) above it cannot be entered" in \
        facts["denied-path-not-traversable"].summary
    # a directory further up that may be entered says nothing about what lies below it
    open_home = "$ ll /home\ndrwxr-xr-x 41 cryven users 4096 Nov  7 20:43 cryven\n"
    quiet = facts_for(kb, ("ls", open_home), user="www-data", access_hits=[(hit, "r")])
    assert not any(k.startswith("denied-path-") for k in quiet)


def test_a_denied_path_under_a_double_slash_root_ends_the_walk_up(kb):
    """`//` is its own dirname: the walk up from an unlisted path must stop there, not spin."""
    import signal

    def timeout(*_):
        raise TimeoutError("the walk up from //srv/a/b/c did not end")

    hit = Hit("eacces", "app.log", 1, "open //srv/a/b/c: permission denied")
    old = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(5)
    try:
        facts = facts_for(kb, ("ls", "$ ll /opt\ndrwx------ 2 x x 4096 Nov  7 20:43 y\n"), user="www-data",
                          access_hits=[(hit, "r")])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert not any(k.startswith("denied-path-") for k in facts)


def test_a_link_to_a_directory_it_sits_in_is_a_loop(kb):
    """openenergymonitor/emonpi#130: `src -> /opt/openenergymonitor/emonhub/src/` inside that src."""
    listing = ("> ls -l /opt/app/src/\ntotal 8\n-rw-r--r-- 1 pi pi 922 Aug 19  2020 app.py\n"
               "lrwxrwxrwx 1 root root 34 Jun 29 20:39 src -> /opt/app/src/\n"
               "lrwxrwxrwx 1 root root  2 Jun 29 20:39 up -> ..\n"
               "lrwxrwxrwx 1 root root  9 Jun 29 20:39 lib -> ../lib\n")
    facts = facts_for(kb, ("ls", listing))
    fact = facts["symlink-to-ancestor"]
    assert fact.summary.startswith("/opt/app/src/src points to /opt/app/src/, a directory it sits in")
    assert "(and 1 more such links)" in fact.summary  # up -> ..; lib -> ../lib is a sibling, no loop
    assert "symlink-to-ancestor" not in facts_for(kb, ("ls", "> ls -l /opt/app\nlrwxrwxrwx 1 r r 3 Jun 29 20:39 cur -> v2\n"))
