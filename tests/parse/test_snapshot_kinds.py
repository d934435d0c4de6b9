"""Host settings beyond mode bits, each recognized by content and parsed from real output
(fixtures/, each citing its source): mounts, MAC state, ACLs, attributes, limits, process status,
systemd units, sysctl, df."""

from __future__ import annotations

import pytest

from faultlens.ingest.sniff import sniff
from faultlens.parse import snapshot_parser
from tests.parse.conftest import fixture_text


def read(name: str, expect_format: str):
    text = fixture_text(name)
    got = sniff("capture.txt", text.encode(), text)  # a neutral name: content decides
    assert (got.kind, got.format) == ("snapshot", expect_format)
    out = snapshot_parser(got.format)(text, name)
    return out


@pytest.mark.parametrize("name, fmt", [
    ("findmnt-tree.txt", "findmnt"), ("findmnt-l.txt", "findmnt"), ("findmnt-rn.txt", "findmnt"),
    ("mount.txt", "mount"), ("proc-mounts.txt", "proc-mounts"), ("mountinfo.txt", "mountinfo"),
])
def test_every_mount_listing_is_read_whole(name, fmt):
    out = read(name, fmt)
    assert out.problems == []
    assert any(m.target == "/" for m in out.mounts) or fmt == "mountinfo"


def test_findmnt_tree_cuts_the_drawing_and_keeps_options():
    mounts = {m.target: m for m in read("findmnt-tree.txt", "findmnt").mounts}
    cgroup = mounts["/sys/fs/cgroup"]
    assert (cgroup.source, cgroup.fstype) == ("tmpfs", "tmpfs")
    assert cgroup.options[:4] == ("ro", "nosuid", "nodev", "noexec")
    assert mounts["/dev/pts"].has("noexec") and not mounts["/dev/shm"].has("noexec")
    assert mounts["/var/lib/docker/overlay2"].source == "/dev/mapper/centos-root[/var/lib/docker/overlay2]"
    assert mounts["/sys/fs/cgroup/net_cls,net_prio"].at.line == 7


def test_mount_command_lines():
    mounts = {m.target: m for m in read("mount.txt", "mount").mounts}
    assert (mounts["/"].source, mounts["/"].fstype) == ("/dev/mapper/centos-root", "xfs")
    assert mounts["/sys/fs/cgroup"].options[0] == "ro"
    assert mounts["/run/user/1000"].has("nosuid") and mounts["/run/user/1000"].has("nodev")
    assert mounts["/sys/fs/cgroup/net_cls,net_prio"].fstype == "cgroup"


def test_macos_mount_line_takes_its_type_from_the_options():
    out = snapshot_parser("mount")("/dev/disk1s1 on / (apfs, local, journaled)\n", "m.txt")
    assert out.problems == []
    assert (out.mounts[0].fstype, out.mounts[0].options) == ("apfs", ("local", "journaled"))


def test_proc_mounts_and_mountinfo_fields():
    mounts = {m.target: m for m in read("proc-mounts.txt", "proc-mounts").mounts}
    assert (mounts["/"].source, mounts["/"].fstype, mounts["/"].options[0]) == ("/dev/vda", "ext4", "rw")
    info = {m.target: m for m in read("mountinfo.txt", "mountinfo").mounts}
    assert (info["/"].source, info["/"].fstype) == ("/dev/vda", "ext4")
    assert "discard" in info["/"].options  # superblock options are kept after the mount's own


def test_mountinfo_escapes_and_optional_fields():
    line = r"36 35 98:0 /mnt1 /mnt/with\040space ro,noexec master:1 - nfs4 srv:/export rw,vers=4.2" + "\n"
    out = snapshot_parser("mountinfo")(line, "mi.txt")
    assert out.problems == []
    m = out.mounts[0]
    assert (m.target, m.fstype, m.source) == ("/mnt/with space", "nfs4", "srv:/export")
    assert m.has("ro") and m.has("noexec") and m.has("vers=4.2")


@pytest.mark.parametrize("name, fmt, system, mode, policy", [
    ("getenforce.txt", "getenforce", "selinux", "enforcing", None),
    ("sestatus.txt", "sestatus", "selinux", "permissive", "targeted"),
    ("aa-status.txt", "aa-status", "apparmor", "enforcing", "1441 profiles loaded"),
])
def test_mac_state(name, fmt, system, mode, policy):
    out = read(name, fmt)
    assert out.problems == []
    state = out.mac[0]
    assert (state.system, state.mode, state.policy) == (system, mode, policy)
    assert state.at.line == 1


def test_selinux_disabled_and_apparmor_not_loaded():
    out = snapshot_parser("sestatus")("SELinux status:                 disabled\n", "s.txt")
    assert (out.mac[0].mode, out.problems) == ("disabled", [])
    out = snapshot_parser("aa-status")("apparmor module is not loaded.\n", "a.txt")
    assert out.mac[0].mode == "disabled"


def test_aa_status_lists_profiles_by_mode():
    text = ("apparmor module is loaded.\n3 profiles are loaded.\n2 profiles are in enforce mode.\n"
            "   /usr/bin/man\n   docker-default\n1 profiles are in complain mode.\n   /opt/ts/bin/executive\n"
            "1 processes have profiles defined.\n1 processes are in enforce mode.\n   /usr/sbin/cupsd (1023)\n")
    state = snapshot_parser("aa-status")(text, "a.txt").mac[0]
    assert state.profiles == (("/usr/bin/man", "enforce"), ("docker-default", "enforce"),
                              ("/opt/ts/bin/executive", "complain"))


def test_getfacl_entries_mask_defaults_and_effective_rights():
    acls = {a.path: a for a in read("getfacl.txt", "getfacl").acls}
    somedir = acls["somedir"]
    assert (somedir.owner, somedir.group, somedir.mask) == ("lisa", "staff", "r-x")
    assert ("user", "joe", "rwx") in somedir.entries and ("other", "", "r-x") in somedir.entries
    assert somedir.effective == (("user", "joe", "r-x"), ("group", "", "r-x"))
    assert ("mask", "", "r-x") in somedir.default and ("other", "", "---") in somedir.default
    t = acls["t"]
    assert t.entries == (("user", "", "rwx"), ("user", "krd163", "rw-"), ("group", "", "r-x"), ("other", "", "r-x"))
    assert (t.mask, t.at.line) == ("rwx", 17)  # lines count from the output, not the citation


def test_getfacl_puts_back_the_slash_it_said_it_removed():
    text = "getfacl: Removing leading '/' from absolute path names\n# file: opt/ts\n# owner: root\nuser::rwx\n"
    out = snapshot_parser("getfacl")(text, "acl.txt")
    assert [a.path for a in out.acls] == ["/opt/ts"] and out.problems == []


def test_lsattr_flags():
    attrs = {a.path: a for a in read("lsattr.txt", "lsattr").attributes}
    assert attrs["rel/sub/f"].flags == "ie" and attrs["rel/sub/f"].immutable
    assert attrs["rel/sub"].flags == "e" and not attrs["rel/sub"].immutable


@pytest.mark.parametrize("name", ["ulimit-bash.txt", "ulimit-dash.txt"])
def test_ulimit_forms_share_rlimit_names(name):
    out = read(name, "ulimit")
    assert out.problems == []
    values = out.limits[0].values
    assert values["nofile"] == "20000" and values["nproc"] == "96365" and values["core"] == "0"
    assert values["stack"] == "8192"


def test_busybox_ulimit_form():
    text = ("-f: file size (blocks)             unlimited\n-n: file descriptors               1024\n"
            "-u: processes                      63705\n")
    got = sniff("u.txt", text.encode(), text)
    assert got.format == "ulimit"
    values = snapshot_parser("ulimit")(text, "u.txt").limits[0].values
    assert values == {"fsize": "unlimited", "nofile": "1024", "nproc": "63705"}


def test_proc_status():
    out = read("proc-status.txt", "proc-status")
    assert out.problems == []
    proc = out.processes[0]
    assert (proc.pid, proc.name, proc.uids, proc.gids, proc.groups, proc.nspid) == (1, "systemd", (0, 0, 0, 0),
                                                                                    (0, 0, 0, 0), (), (1,))


def test_proc_status_groups():
    text = "Name:\texecutive\nPid:\t1402\nUid:\t1001\t1001\t1001\t1001\nGid:\t1001\t1001\t1001\t1001\nGroups:\t1001 27 \n"
    proc = snapshot_parser("proc-status")(text, "status").processes[0]
    assert proc.groups == (1001, 27)


def test_systemctl_show_one_record_per_unit():
    out = read("systemctl-show.txt", "systemctl-show")
    assert out.problems == []
    units = {u.unit: u for u in out.units}
    assert set(units) == {"postfix.service", "postgresql.service", "tuned.service"}
    pg = units["postgresql.service"].settings
    assert (pg["User"], pg["ProtectHome"], pg["PrivateTmp"], pg["NoNewPrivileges"]) == ("postgres", "no", "no", "no")
    assert units["tuned.service"].settings["After"].endswith("basic.target dbus.service")  # a wrapped value
    assert units["postfix.service"].settings["LimitMEMLOCK"] == ""


def test_unit_file_service_section():
    text = fixture_text("systemd-hostnamed.service")
    got = sniff("hostnamed.conf", text.encode(), text)
    assert (got.kind, got.format) == ("snapshot", "unit-file")
    out = snapshot_parser("unit-file")(text, "lib/systemd/system/systemd-hostnamed.service")
    assert out.problems == []
    unit = out.units[0]
    assert unit.unit == "systemd-hostnamed.service"
    assert (unit.settings["ProtectSystem"], unit.settings["ProtectHome"]) == ("strict", "yes")
    assert unit.settings["ReadWritePaths"] == "/etc /run/systemd"
    assert "Description" not in unit.settings  # [Unit] keys are not service settings


@pytest.mark.parametrize("name", ["sysctl.txt", "proc-sys-inotify.txt"])
def test_sysctl_both_forms(name):
    out = read(name, "sysctl")
    assert out.problems == []
    names = {k.name: k.value for k in out.kernel}
    assert names["fs.inotify.max_user_watches"] == "192536"
    assert names["fs.inotify.max_user_instances"] == "128"


def test_df_inodes_and_human_sizes():
    rows = {d.mount: d for d in read("df-i.txt", "df").disks}
    assert rows["/"].inodes and rows["/"].total == 16777216 and rows["/"].used_percent == 3
    rows = {d.mount: d for d in read("df-h.txt", "df").disks}
    assert rows["/"].used == int(1.8 * 1024 ** 3) and rows["/boot"].total == 1014 * 1024 ** 2
