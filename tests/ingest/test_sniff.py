"""Kinds are recognized from content, not names."""

from __future__ import annotations

import pytest

from faultlens.ingest.sniff import sniff

CASES = {
    "ls": "/opt/ts/releases:\ntotal 8\ndrwxr-xr-x 5 tester tester 4096 Nov 25 02:58 base-4.1.0\n-rw------- 1 jdoe jdoe 12 Nov 25 02:58 x\n",
    "find-ls": "  1234    4 -rw-------   1 jdoe jdoe  1204 Nov 25 02:58 ./base/bin/x\n  1235    4 drwx------   2 jdoe jdoe  4096 Nov 25 02:58 ./base\n",
    "find-printf": "-rw------- jdoe jdoe 1204 /opt/a\ndrwx------ jdoe jdoe 4096 /opt\n",
    "find-printf-octal": "600 jdoe jdoe /opt/a\n700 jdoe jdoe /opt\n",
    "tar-gnu": "-rw------- jdoe/jdoe 1204 2026-11-25 02:58 base/bin/x\ndrwx------ jdoe/jdoe 0 2026-11-25 02:58 base/\n",
    "stat": "  File: /x\n  Size: 1\tBlocks: 8   IO Block: 4096   regular file\nDevice: 803h/2051d\tInode: 1  Links: 1\nAccess: (0600/-rw-------)  Uid: ( 1000/ jdoe)   Gid: ( 1000/ jdoe)\n",
    "namei": "f: /opt/ts/x\ndrwxr-xr-x root root /\ndrwx------ root root opt\n",
    "id": "uid=1001(tester) gid=1001(tester) groups=1001(tester)\n",
    "umask": "0077\n",
    "df": "Filesystem 1K-blocks Used Available Use% Mounted on\n/dev/sda1 10 10 0 100% /\n",
}


@pytest.mark.parametrize("fmt", sorted(CASES))
def test_snapshot_formats_are_recognized_whatever_the_name(fmt):
    text = CASES[fmt]
    got = sniff("listing.txt", text.encode(), text)
    assert (got.kind, got.format) == ("snapshot", fmt)


def test_bsdtar_listing_reads_as_ls():
    text = "-rw-r--r--  0 jdoe   jdoe     1204 Nov 25 02:58 base/bin/x\ndrwxr-xr-x  0 jdoe   jdoe        0 Nov 25 02:58 base/\n"
    assert sniff("t.txt", text.encode(), text).format == "ls"


@pytest.mark.parametrize("text", [
    "2026-11-25T03:08:02Z executive[1402]: ERROR GENERIC FAILURE: station not ready\n",
    "drwxr-xr-x 5 tester tester 4096 Nov 25 02:58 a\nlots of log text after it\nand more\nand more\n",
    "",
])
def test_logs(text):
    assert sniff("whatever.ls", text.encode(), text).kind == "log"


def test_binary_is_skipped():
    data = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
    assert sniff("a.out", data, "").kind == "skipped"


def test_run_yaml_is_metadata():
    assert sniff("run/run.yaml", b"host: s1\n", "host: s1\n").kind == "metadata"


@pytest.mark.parametrize("text, fmt", [
    ('<?xml version="1.0"?>\n<testsuite name="x" tests="1"><testcase name="t"/></testsuite>\n', "junit"),
    ('<testsuites>\n<testsuite name="x"/>\n</testsuites>\n', "junit"),
    ('{"__REALTIME_TIMESTAMP":"1","MESSAGE":"hi","PRIORITY":"6"}\n{"__REALTIME_TIMESTAMP":"2","MESSAGE":"ho"}\n', "journald-json"),
    ('{"level":"info","msg":"hi"}\n{"level":"error","msg":"ho"}\n', "json-lines"),
    ("TAP version 13\n1..2\nok 1 - a\nnot ok 2 - b\n", "tap"),
    ('{"not": "a log"}\n', "plain"),
])
def test_structured_logs(text, fmt):
    got = sniff("whatever", text.encode(), text)
    assert (got.kind, got.format) == ("log", fmt)


def test_a_pasted_ll_session_reads_as_ls():
    """`ll` is the shells' `ls -l` alias: its prompt line belongs to the capture like `ls -l`'s."""
    text = "$ ll /home\ndrwx------ 41 web users 4096 Nov  7 20:43 web\n"
    assert sniff("listing.txt", text.encode(), text).format == "ls"
