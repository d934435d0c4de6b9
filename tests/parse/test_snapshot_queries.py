"""The Snapshot queries facts use for the host settings (facts/snapshot.py), on real output."""

from __future__ import annotations

from faultlens.facts.snapshot import Snapshot
from faultlens.parse import snapshot_parser
from faultlens.parse.records import SnapshotRecords
from tests.parse.conftest import fixture_text


def snapshot(*pairs: tuple[str, str]) -> Snapshot:
    records = SnapshotRecords()
    for fmt, name in pairs:
        records.extend(snapshot_parser(fmt)(fixture_text(name), name))
    return Snapshot(records)


def test_mount_of_takes_the_longest_target_above_the_path():
    snap = snapshot(("findmnt", "findmnt-tree.txt"))
    assert snap.mount_of("/sys/fs/cgroup/pids/tasks").target == "/sys/fs/cgroup/pids"
    assert snap.mount_of("/sys/fs/cgroupx").target == "/sys"  # a sibling name is not below the mount
    assert snap.mount_of("/opt/ts/releases").target == "/"
    cgroup = snap.mount_of("/sys/fs/cgroup/memory")
    assert cgroup.target == "/sys/fs/cgroup" and cgroup.has("ro") and cgroup.at.line == 5
    assert snap.mount_of("/dev/pts/0").has("noexec")
    assert Snapshot(SnapshotRecords()).mount_of("/x") is None


def test_mac_mode_prefers_an_active_system():
    assert snapshot(("getenforce", "getenforce.txt")).mac_mode() == ("selinux", "enforcing")
    records = snapshot_parser("sestatus")("SELinux status:                 disabled\n", "s")
    records.extend(snapshot_parser("aa-status")(fixture_text("aa-status.txt"), "aa"))
    assert Snapshot(records).mac_mode() == ("apparmor", "enforcing")
    assert Snapshot(SnapshotRecords()).mac_mode() is None


def test_acl_of_with_or_without_the_leading_slash():
    snap = snapshot(("getfacl", "getfacl.txt"))
    assert snap.acl_of("somedir").mask == "r-x"
    assert snap.acl_of("/somedir/").owner == "lisa"
    assert snap.acl_of("/elsewhere") is None


def test_attributes_of():
    snap = snapshot(("lsattr", "lsattr.txt"))
    assert snap.attributes_of("rel/sub/f").immutable
    assert snap.attributes_of("./rel/sub").flags == "e"


def test_process_groups_are_the_kernels():
    text = "Name:\texecutive\nPid:\t1402\nUid:\t1001\t1001\t1001\t1001\nGid:\t1001\t1001\t1001\t1001\nGroups:\t1001 27\n"
    snap = Snapshot(snapshot_parser("proc-status")(text, "status"))
    assert snap.process_groups() == ("1001", "27")
    assert snapshot(("proc-status", "proc-status.txt")).process_groups() == ()
    assert Snapshot(SnapshotRecords()).process_groups() is None


def test_unit_settings_by_unit_or_the_only_one():
    snap = snapshot(("systemctl-show", "systemctl-show.txt"))
    assert snap.unit_settings("postgresql").settings["User"] == "postgres"
    assert snap.unit_settings("postfix.service").settings["LimitNOFILE"] == "65536"
    assert snap.unit_settings("nginx") is None
    assert snap.unit_settings().unit == "postfix.service"


def test_limit_by_name_or_letter():
    snap = snapshot(("ulimit", "ulimit-bash.txt"))
    assert snap.limit("nofile") == snap.limit("n") == snap.limit("-n") == "20000"
    assert snap.limit("nproc") == "96365" and snap.limit("fsize") == "unlimited"
    assert snap.limit("nosuch") is None


def test_kernel_setting_by_dotted_name_or_proc_path():
    snap = snapshot(("sysctl", "proc-sys-inotify.txt"))
    assert snap.kernel_setting("fs.inotify.max_user_watches") == "192536"
    assert snap.kernel_setting("/proc/sys/fs/inotify/max_user_instances") == "128"


def test_disk_of_and_inode_usage():
    snap = snapshot(("df", "df-macos.txt"))
    assert snap.disk_of("/Users/kbrazil/x").used_percent == 32
    assert snap.inode_usage("/Users/kbrazil/x").used == 1507695
    assert snap.disk_of("/dev/null").filesystem == "devfs"
    snap = snapshot(("df", "df-h.txt"))
    assert snap.inode_usage("/") is None and snap.disk_of("/boot/grub2/grub.cfg").mount == "/boot"


def test_an_entry_without_a_mode_never_hides_one_with_it():
    records = SnapshotRecords()
    records.extend(snapshot_parser("ls")("-rw-r--r--. 1 root root 584 Oct 14 15:56 f\n", "ls-l.txt"))
    records.extend(snapshot_parser("ls")("system_u:object_r:etc_t:s0 f\n", "ls-Z.txt"))
    entry = Snapshot(records).get("f")
    assert (entry.mode, entry.mode_known, entry.context, entry.at.source) == (0o644, True, "system_u:object_r:etc_t:s0",
                                                                              "ls-l.txt")


def test_mount_of_an_nfs_home_and_root():
    snap = snapshot(("proc-mounts", "proc-mounts-nfs.txt"))
    home = snap.mount_of("/users/PZS0710/jdoe/.ssh/id_rsa")
    assert (home.fstype, home.source, home.at.line) == ("nfs4", "10.11.200.17:/PZS0710", 5)
    assert snap.mount_of("/opt/ts").fstype == "nfs" and snap.mount_of("/opt/ts").has("nolock")
    assert snap.mount_of("/tmp/x").fstype == "xfs"
