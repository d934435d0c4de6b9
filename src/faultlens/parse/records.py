"""What a snapshot parser returns."""

from __future__ import annotations

from msgspec import Struct, field

from faultlens.model import FileEntry, Identity, Problem, UmaskSetting


class DiskUsage(Struct, frozen=True):
    filesystem: str
    mount: str
    used_percent: int | None
    inodes: bool  # df -i
    source: str
    line: int


class SnapshotRecords(Struct):
    entries: list[FileEntry] = field(default_factory=list)
    identities: list[Identity] = field(default_factory=list)
    umasks: list[UmaskSetting] = field(default_factory=list)
    disks: list[DiskUsage] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: int = 0

    def extend(self, other: "SnapshotRecords") -> None:
        self.entries += other.entries
        self.identities += other.identities
        self.umasks += other.umasks
        self.disks += other.disks
        self.problems += other.problems
        self.lines += other.lines
