"""stat, namei, id, umask and df output."""

from __future__ import annotations

import pytest

from faultlens.parse import snapshot_parser

STAT = """\
  File: /opt/ts/releases/base-4.2.0/bin/executive
  Size: 1204      \tBlocks: 8          IO Block: 4096   regular file
Device: 803h/2051d\tInode: 1234567     Links: 1
Access: (0600/-rw-------)  Uid: ( 1000/    jdoe)   Gid: ( 1000/    jdoe)
Access: 2026-11-25 02:58:14.000000000 +0000
Modify: 2026-11-25 02:58:14.000000000 +0000
Change: 2026-11-25 02:58:14.000000000 +0000
 Birth: -
  File: ‘/opt/ts/releases/current’ -> ‘base-4.2.0’
  Size: 10        \tBlocks: 0          IO Block: 4096   symbolic link
Device: 803h/2051d\tInode: 1234568     Links: 1
Access: (0777/lrwxrwxrwx)  Uid: ( 1001/  tester)   Gid: ( 1001/  tester)
  File: /opt/ts
  Size: 4096      \tBlocks: 8          IO Block: 4096   directory
Device: 803h/2051d\tInode: 12     Links: 3
Access: (2750/drwxr-s---)  Uid: (    0/    root)   Gid: ( 1005/   floor)
"""


def test_stat_records():
    out = snapshot_parser("stat")(STAT, "stat.txt")
    assert out.problems == []
    found = {e.path: e for e in out.entries}
    exe = found["/opt/ts/releases/base-4.2.0/bin/executive"]
    assert (exe.type, exe.mode, exe.owner, exe.size, exe.at.line) == ("file", 0o600, "jdoe", 1204, 1)
    assert exe.mtime.startswith("2026-11-25 02:58:14")
    link = found["/opt/ts/releases/current"]
    assert (link.type, link.link_target) == ("symlink", "base-4.2.0")
    assert (found["/opt/ts"].type, found["/opt/ts"].mode, found["/opt/ts"].group) == ("dir", 0o2750, "floor")


def test_namei_builds_full_paths():
    text = ("f: /opt/ts/releases/base-4.2.0/bin/executive\n"
            "drwxr-xr-x root   root   /\n drwxr-xr-x root   root   opt\n drwx------ root   root   ts\n"
            " drwxr-xr-x tester tester releases\n lrwxrwxrwx tester tester current -> base-4.2.0\n")
    out = snapshot_parser("namei")(text, "namei.txt")
    assert out.problems == []
    found = {e.path: e for e in out.entries}
    assert found["/opt/ts"].mode == 0o700
    assert found["/opt/ts/releases"].owner == "tester"
    assert found["/opt/ts/releases/current"].link_target == "base-4.2.0"


@pytest.mark.parametrize("text, user, uid, groups", [
    ("uid=1001(tester) gid=1001(tester) groups=1001(tester),27(sudo),1005(floor)\n", "tester", 1001, ("tester", "sudo", "floor")),
    ("uid=0(root) gid=0(root) groups=0(root) context=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023\n", "root", 0, ("root",)),
    ("uid=1002(ci) gid=1002(ci)\n", "ci", 1002, ("ci",)),
])
def test_id(text, user, uid, groups):
    out = snapshot_parser("id")(text, "id.txt")
    assert out.problems == []
    ident = out.identities[0]
    assert (ident.user, ident.uid, ident.groups) == (user, uid, groups)


@pytest.mark.parametrize("text, value", [
    ("0077\n", 0o077), ("022\n", 0o022), ("u=rwx,g=rx,o=\n", 0o027), ("u=rwx,g=,o=\n", 0o077), ("u=rwx,g=rwx,o=rx\n", 0o002),
])
def test_umask(text, value):
    out = snapshot_parser("umask")(text, "umask.txt")
    assert out.problems == [] and out.umasks[0].value == value


def test_df_space_and_inodes():
    text = ("Filesystem     1K-blocks     Used Available Use% Mounted on\n"
            "/dev/sda1       98304000 98304000         0 100% /opt/ts\n"
            "tmpfs 1.0G 0 1.0G 0% /dev/shm\n")
    out = snapshot_parser("df")(text, "df.txt")
    assert out.problems == []
    assert [(d.mount, d.used_percent, d.inodes) for d in out.disks] == [("/opt/ts", 100, False), ("/dev/shm", 0, False)]
    out = snapshot_parser("df")("Filesystem Inodes IUsed IFree IUse% Mounted on\n/dev/sdb1 100 100 0 100% /data\n", "df-i")
    assert out.disks[0].inodes is True
