"""Listing grammars: every line becomes a typed FileEntry; bad lines become problems."""

from __future__ import annotations

import pytest

from faultlens.parse import snapshot_parser


def entries(fmt: str, text: str):
    out = snapshot_parser(fmt)(text, "listing.txt")
    return {e.path: e for e in out.entries}, out.problems


LS_LR = """\
/opt/ts/releases:
total 12
drwxr-xr-x 5 tester tester 4096 Nov 25 02:58 .
drwxr-xr-x 3 root   root   4096 Jan  3  2025 ..
drwx------ 5 jdoe   jdoe   4096 Nov 25 02:58 base-4.2.0
lrwxrwxrwx 1 tester tester   10 Nov 25 02:58 current -> base-4.2.0

/opt/ts/releases/base-4.2.0:
total 8
-rw------- 1 jdoe jdoe 1204 Nov 25 02:58 station cfg with spaces.ini
-rwsr-x--T 1 root floor 9204 Nov 25 02:58 helper
"""


def test_ls_lr_headers_give_names_their_directory():
    found, problems = entries("ls", LS_LR)
    assert problems == []
    cfg = found["/opt/ts/releases/base-4.2.0/station cfg with spaces.ini"]
    assert (cfg.type, cfg.mode, cfg.owner, cfg.group, cfg.size) == ("file", 0o600, "jdoe", "jdoe", 1204)
    assert cfg.at.line == 10 and cfg.at.source == "listing.txt"


def test_ls_dot_and_dotdot_describe_the_directory_and_its_parent():
    found, _ = entries("ls", LS_LR)
    assert found["/opt/ts/releases"].mode == 0o755
    assert found["/opt/ts"].owner == "root"


def test_ls_symlink_target_and_special_bits():
    found, _ = entries("ls", LS_LR)
    link = found["/opt/ts/releases/current"]
    assert (link.type, link.link_target) == ("symlink", "base-4.2.0")
    assert found["/opt/ts/releases/base-4.2.0/helper"].mode == 0o5750


@pytest.mark.parametrize("line, path, mode, owner, size", [
    ("-rw-r--r--. 1 root root 584 Oct 14 15:56 /etc/systemd/system/a.service", "/etc/systemd/system/a.service", 0o644, "root", 584),
    ("-rw-r----- 1 root root 1.3K Jan 11 09:56 admin.py", "admin.py", 0o640, "root", None),
    ("-rw-r--r-- 1 1001 1001 1204 2024-01-01 12:00 x.txt", "x.txt", 0o644, "1001", 1204),
    ("-rw-r--r-- 1 u g 5 2024-01-01 12:00:00.000000000 +0000 full iso.txt", "full iso.txt", 0o644, "u", 5),
    ("crw-rw---- 1 root tty 4, 0 Nov 25 02:58 tty0", "tty0", 0o660, "root", None),
    ("-rw-rw----  0 jenkins jenkins  2692 Oct  2 06:01 pkg/METADATA", "pkg/METADATA", 0o660, "jenkins", 2692),
    ("  1234567      4 -rw-------   1 jdoe     jdoe         1204 Nov 25 02:58 ./base/bin/x", "base/bin/x", 0o600, "jdoe", 1204),
    ("-rw-r--r-- 1 tester tester 12 25 nov.  02:58 fr.txt", "fr.txt", 0o644, "tester", 12),
])
def test_ls_variants(line, path, mode, owner, size):
    found, problems = entries("ls", line + "\n")
    assert problems == []
    entry = found[path]
    assert (entry.mode, entry.owner, entry.size) == (mode, owner, size)


def test_ls_garbage_line_is_a_problem_with_its_line_number():
    _, problems = entries("ls", "-rw-r--r-- 1 a b 1 Nov 25 02:58 ok\nthis is not a listing\n")
    assert [(p.line, p.source) for p in problems] == [(2, "listing.txt")]
    assert "not understood as ls output" in problems[0].reason


def test_find_printf_symbolic_and_octal():
    found, problems = entries("find-printf", "-rw------- jdoe jdoe 1204 /opt/r/a b.txt\nlrwxrwxrwx root root 3 /opt/l -> /x\n")
    assert problems == []
    assert found["/opt/r/a b.txt"].mode == 0o600 and found["/opt/r/a b.txt"].size == 1204
    assert found["/opt/l"].link_target == "/x"
    found, problems = entries("find-printf-octal", "600 jdoe jdoe ./opt/x\n2755 root staff /usr/local/bin/\n")
    assert problems == []
    assert found["opt/x"].mode == 0o600
    assert (found["/usr/local/bin"].type, found["/usr/local/bin"].mode) == ("dir", 0o2755)


def test_gnu_tar_names_numeric_owners_and_links():
    text = ("-rw------- jdoe/jdoe      1204 2026-11-25 02:58 base-4.2.0/bin/executive\n"
            "lrwxrwxrwx root/root         0 2026-11-25 02:58:01 base-4.2.0/lib/a.so -> a.so.1\n"
            "hrw-r--r-- 0/0               0 2026-11-25 02:58 base-4.2.0/b link to base-4.2.0/a\n"
            "drwx------ jdoe/jdoe         0 2026-11-25 02:58 base-4.2.0/\n")
    found, problems = entries("tar-gnu", text)
    assert problems == []
    assert (found["base-4.2.0/bin/executive"].owner, found["base-4.2.0/bin/executive"].mode) == ("jdoe", 0o600)
    assert found["base-4.2.0/lib/a.so"].link_target == "a.so.1"
    assert (found["base-4.2.0/b"].type, found["base-4.2.0/b"].owner) == ("hardlink", "0")
    assert found["base-4.2.0"].type == "dir"


def test_an_ll_command_line_names_the_entries_directory():
    """`ll DIR` (the `ls -l` alias) lists DIR's entries without a header, like `ls -l DIR`."""
    found, problems = entries("ls", "user@host:~$ ll /home\ndrwx------ 41 web users 4096 Nov  7 20:43 web\n")
    assert problems == [] and found["/home/web"].mode == 0o700
