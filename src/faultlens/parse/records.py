"""What a snapshot parser returns: file entries and the host settings that decide access.

Every record carries where it was read (`at`: source and line), so a fact drawn from it can cite
its evidence.
"""

from __future__ import annotations

from msgspec import Struct, field

from faultlens.model import FileEntry, Identity, Location, Problem, UmaskSetting


# ulimit's option letters and the rlimit each sets (bash, busybox, zsh agree on the letters)
LIMIT_LETTERS = {
    "c": "core", "d": "data", "e": "nice", "f": "fsize", "i": "sigpending", "l": "memlock",
    "m": "rss", "n": "nofile", "p": "pipe", "q": "msgqueue", "r": "rtprio", "s": "stack",
    "t": "cpu", "u": "nproc", "v": "as", "x": "locks", "R": "rttime", "k": "kqueues",
    "b": "sbsize", "P": "pty", "T": "threads", "w": "swap", "y": "rttime", "o": "nofile",
}


class DiskUsage(Struct, frozen=True):
    """One `df` row. Amounts are bytes for block rows (from 1K/512-blocks or `-h` sizes, rounded
    as printed) and counts for inode rows (`df -i`, or macOS df's iused/ifree columns)."""

    filesystem: str
    mount: str
    used_percent: int | None
    inodes: bool  # df -i
    source: str
    line: int
    total: int | None = None
    used: int | None = None
    available: int | None = None


class Mount(Struct, frozen=True):
    """A mounted filesystem (`findmnt`, `mount`, /proc/mounts, /proc/self/mountinfo)."""

    source: str
    target: str
    fstype: str
    options: tuple[str, ...]  # as listed: ("rw", "nosuid", "noexec", "relatime", ...)
    at: Location | None = None

    def has(self, option: str) -> bool:
        return option in self.options


class MacState(Struct, frozen=True):
    """Mandatory access control as `getenforce`, `sestatus` or `aa-status` reported it.

    mode: SELinux "enforcing" | "permissive" | "disabled"; AppArmor "enforcing" (some profile
    enforces), "complain" (profiles loaded, none enforcing) or "disabled" (module not loaded).
    """

    system: str  # "selinux" | "apparmor"
    mode: str
    policy: str | None = None  # SELinux policy name ("targeted"), AppArmor "N profiles loaded"
    profiles: tuple[tuple[str, str], ...] = ()  # AppArmor (profile, "enforce" | "complain" | ...)
    at: Location | None = None


AclEntry = tuple[str, str, str]  # (tag: user|group|mask|other, qualifier: "" or a name/id, "rwx" string)


class Acl(Struct, frozen=True):
    """One file's POSIX ACL as `getfacl` printed it."""

    path: str
    entries: tuple[AclEntry, ...]
    mask: str | None = None
    default: tuple[AclEntry, ...] = ()  # a directory's default entries (what new files inherit)
    effective: tuple[AclEntry, ...] = ()  # the `#effective:` comments getfacl adds where the mask cuts
    owner: str | None = None
    group: str | None = None
    at: Location | None = None


class FileAttributes(Struct, frozen=True):
    """`lsattr`: ext2/3/4 attribute letters set on a file ("i" immutable, "a" append-only...)."""

    path: str
    flags: str  # the letters set, in printed order: "ie" for `----i---------e-------`
    at: Location | None = None

    @property
    def immutable(self) -> bool:
        return "i" in self.flags

    @property
    def append_only(self) -> bool:
        return "a" in self.flags


class Limits(Struct, frozen=True):
    """`ulimit -a` (bash, dash, busybox/zsh forms). Keys are the rlimit names (`nofile`, `nproc`,
    `fsize`...), values as printed ("unlimited" or a number in the shell's unit)."""

    values: dict[str, str]
    at: Location | None = None


class ProcessStatus(Struct, frozen=True):
    """/proc/PID/status: who a process runs as, and with which groups (the kernel's view: a group
    added to the account after login is not there)."""

    pid: int | None
    name: str | None
    uids: tuple[int, ...]  # real, effective, saved, filesystem
    gids: tuple[int, ...]
    groups: tuple[int, ...]
    nspid: tuple[int, ...] = ()
    at: Location | None = None


class UnitSettings(Struct, frozen=True):
    """A systemd unit's settings: `systemctl show UNIT` (key=value) or a unit file's [Service]."""

    unit: str | None
    settings: dict[str, str]
    at: Location | None = None


class KernelSetting(Struct, frozen=True):
    """`sysctl NAME`, or /proc/sys files collected as "path: value"; name in dotted form."""

    name: str
    value: str
    at: Location | None = None


class GroupView(Struct, frozen=True):
    """The groups one side holds, as a terminal session showed them. whose: "session" (`groups`,
    `id` with no user: the shell's own credentials, fixed at login) or "account" (`groups USER`,
    `id USER`, `getent group NAME`: what /etc/group says now)."""

    whose: str
    user: str | None
    groups: tuple[str, ...]
    at: Location | None = None
    raw: str = ""


class SnapshotRecords(Struct):
    entries: list[FileEntry] = field(default_factory=list)
    identities: list[Identity] = field(default_factory=list)
    umasks: list[UmaskSetting] = field(default_factory=list)
    disks: list[DiskUsage] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: int = 0
    mounts: list[Mount] = field(default_factory=list)
    mac: list[MacState] = field(default_factory=list)
    acls: list[Acl] = field(default_factory=list)
    attributes: list[FileAttributes] = field(default_factory=list)
    limits: list[Limits] = field(default_factory=list)
    processes: list[ProcessStatus] = field(default_factory=list)
    units: list[UnitSettings] = field(default_factory=list)
    kernel: list[KernelSetting] = field(default_factory=list)
    group_views: list[GroupView] = field(default_factory=list)

    def extend(self, other: "SnapshotRecords") -> None:
        self.entries += other.entries
        self.identities += other.identities
        self.umasks += other.umasks
        self.disks += other.disks
        self.problems += other.problems
        self.lines += other.lines
        self.mounts += other.mounts
        self.mac += other.mac
        self.acls += other.acls
        self.attributes += other.attributes
        self.limits += other.limits
        self.processes += other.processes
        self.units += other.units
        self.kernel += other.kernel
        self.group_views += other.group_views
