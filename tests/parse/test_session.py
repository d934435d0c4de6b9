"""A pasted terminal session showing whose groups are whose (parse/session.py): recognized by
content, each command's output read for what that command prints, and the same read out of a log
whose lines carry their own prefix."""

from __future__ import annotations

import pytest

from faultlens.ingest.sniff import sniff
from faultlens.parse import snapshot_parser
from faultlens.parse.logs import LogText
from faultlens.parse.session import parse_session, records_in_log


def read(text: str):
    got = sniff("capture.txt", text.encode(), text)  # a neutral name: content decides
    assert (got.kind, got.format) == ("snapshot", "session")
    return snapshot_parser(got.format)(text, "capture.txt")


def views(out) -> list[tuple[str, str | None, tuple[str, ...], int]]:
    return [(v.whose, v.user, v.groups, v.at.line) for v in out.group_views]


# shaped like Stefal/rtkbase#88: the account has dialout, the session does not
RTKBASE = ("stephane@rtkbase-test:~$ sudo groups stephane\n"
           "stephane : stephane dialout cdrom floppy sudo audio dip video plugdev netdev bluetooth\n"
           "stephane@rtkbase-test:~$ groups\n"
           "stephane cdrom floppy sudo audio dip video plugdev netdev bluetooth\n")


def test_groups_and_groups_user_are_the_session_and_the_account():
    out = read(RTKBASE)
    assert out.problems == []
    assert views(out) == [
        ("account", "stephane", ("stephane", "dialout", "cdrom", "floppy", "sudo", "audio", "dip", "video", "plugdev",
                                 "netdev", "bluetooth"), 2),
        ("session", "stephane", ("stephane", "cdrom", "floppy", "sudo", "audio", "dip", "video", "plugdev", "netdev",
                                 "bluetooth"), 4)]


def test_id_and_id_user_and_getent_group():
    out = read("[deploy@build-02 ~]$ id\n"
               "uid=1002(deploy) gid=1002(deploy) groups=1002(deploy),10(wheel)\n"
               "[deploy@build-02 ~]$ id deploy\n"
               "uid=1002(deploy) gid=1002(deploy) groups=1002(deploy),10(wheel),989(docker)\n"
               "[deploy@build-02 ~]$ getent group docker\n"
               "docker:x:989:jenkins,deploy\n")
    assert views(out) == [("session", "deploy", ("deploy", "wheel"), 2),
                          ("account", "deploy", ("deploy", "wheel", "docker"), 4),
                          ("account", "jenkins", ("docker",), 6), ("account", "deploy", ("docker",), 6)]
    assert [(i.user, i.at.line) for i in out.identities] == [("deploy", 2), ("deploy", 4)]


def test_a_listing_in_the_session_is_read_by_the_ls_parser_and_other_lines_are_left_as_log():
    out = read("pi@raspberrypi:~ $ ls -l /dev/ttyUSB0\n"
               "crw-rw---- 1 root dialout 188, 0 Mar  3 10:12 /dev/ttyUSB0\n"
               "pi@raspberrypi:~ $ groups\n"
               "pi adm tty sudo audio video\n"
               "pi@raspberrypi:~ $ python3 read.py\n"
               "Permission denied: '/dev/ttyUSB0'\n")
    assert [(e.path, e.group, e.at.line) for e in out.entries] == [("/dev/ttyUSB0", "dialout", 2)]
    assert views(out) == [("session", "pi", ("pi", "adm", "tty", "sudo", "audio", "video"), 4)]
    assert sorted(p.line for p in out.problems) == [5, 6]


def test_a_plain_id_file_stays_id_output():
    text = "uid=1000(gradle) gid=1000(gradle) groups=1000(gradle),1500(gradle-cache)\n"
    assert sniff("capture.txt", text.encode(), text).format == "id"


@pytest.mark.parametrize("prefix", ["", "2024-05-02T07:41:10.9322795Z ", "[07:41:10] ", "E       ",
                                    "Nov 25 07:41:10 station-07 app[2210]: ", "2025-11-25T03:08:14Z kernel: <info> "])
def test_the_same_session_inside_a_log_under_its_prefix(prefix):
    lines = ["make: *** [flash] Error 1", *RTKBASE.rstrip("\n").split("\n"), "done"]
    log = LogText.from_bytes("job.log", "\n".join(prefix + ln for ln in lines).encode())
    out = records_in_log(log)
    assert [(w, u, at) for w, u, _, at in views(out)] == [("account", "stephane", 3), ("session", "stephane", 5)]


def test_a_word_line_after_the_output_is_not_read_as_groups():
    log = LogText.from_bytes("job.log", b"$ groups\nci docker\nBuild finished\n$ id ci\nnot an id line\n")
    out = records_in_log(log)
    assert views(out) == [("session", None, ("ci", "docker"), 2)]
    assert out.identities == []


def test_a_long_line_in_a_session_is_read_in_linear_time():
    """A prompt's two lazy runs (`user@host` then anything before `$`) made Python's re quadratic: a
    200,000-character line took minutes. The alarm only stops a hang; RE2 reads it at once."""
    import signal

    text = "$ groups\npi adm\n" + "a@" + "x" * 200_000 + "\n$ groups pi\npi : pi adm dialout\n"
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("quadratic prompt pattern")))
    signal.alarm(60)
    try:
        records = parse_session(text, "session.txt")
    finally:
        signal.alarm(0)
    assert sorted((v.whose, v.groups) for v in records.group_views) == [("account", ("pi", "adm", "dialout")), ("session", ("pi", "adm"))]
