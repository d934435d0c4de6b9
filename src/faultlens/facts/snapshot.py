"""The filesystem as the snapshot inputs describe it: one entry per path, queried by path."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from functools import cached_property

from msgspec.structs import replace

from faultlens.model import FileEntry, Identity, UmaskSetting
from faultlens.parse.records import (LIMIT_LETTERS, Acl, DiskUsage, FileAttributes, GroupView, KernelSetting, Limits,
                                     MacState, Mount, ProcessStatus, SnapshotRecords, UnitSettings)


class Snapshot:
    def __init__(self, records: SnapshotRecords):
        self.entries: dict[str, FileEntry] = {}
        for entry in records.entries:
            known = self.entries.get(entry.path)
            if known is not None and known.mode_known and not entry.mode_known:
                # `ls -Z` or a `?????????` line adds at most a label to what a listing told
                if entry.context and not known.context:
                    self.entries[entry.path] = replace(known, context=entry.context)
                continue
            # a later, fuller description of the same path (stat after ls) wins
            if known is None or not known.mode_known or (entry.size is not None or known.size is None):
                if known is not None and known.context and not entry.context:
                    entry = replace(entry, context=known.context)
                self.entries[entry.path] = entry
        self.identities: list[Identity] = records.identities
        self.umasks: list[UmaskSetting] = records.umasks
        self.disks: list[DiskUsage] = records.disks
        self.mounts: list[Mount] = records.mounts
        self.mac: list[MacState] = records.mac
        self.acls: dict[str, Acl] = {a.path: a for a in records.acls}
        self.attributes: dict[str, FileAttributes] = {a.path: a for a in records.attributes}
        self.limits: list[Limits] = records.limits
        self.processes: list[ProcessStatus] = records.processes
        self.units: list[UnitSettings] = records.units
        self.kernel: dict[str, KernelSetting] = {k.name: k for k in records.kernel}
        self.group_views: list[GroupView] = records.group_views

    @cached_property
    def children_by_dir(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for path in self.entries:
            parent = posixpath.dirname(path)
            if parent != path:
                out[parent].append(path)
        return out

    @cached_property
    def _by_name(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for path in self.entries:
            out[posixpath.basename(path)].append(path)
        return out

    def __bool__(self) -> bool:
        return bool(self.entries or self.identities or self.umasks or self.disks or self.mounts or self.mac
                    or self.acls or self.attributes or self.limits or self.processes or self.units or self.kernel
                    or self.group_views)

    def get(self, path: str) -> FileEntry | None:
        return self.entries.get(path)

    def children(self, path: str) -> list[str]:
        return self.children_by_dir.get(path, [])

    def descendants(self, path: str) -> list[FileEntry]:
        prefix = path.rstrip("/") + "/"
        return [e for p, e in self.entries.items() if p.startswith(prefix) or (path == "." and p != ".")]

    def ancestors(self, path: str) -> list[FileEntry]:
        """The directories above path that the snapshot knows, top-most first."""
        out = []
        current = posixpath.dirname(path)
        while True:
            entry = self.entries.get(current)
            if entry is not None:
                out.append(entry)
            parent = posixpath.dirname(current)
            if parent == current or not current:
                break
            current = parent
        return out[::-1]

    def resolve(self, path: str) -> str | None:
        """The snapshot path for a path seen in a log: exact, or the longest matching suffix
        (a tar listing holds `base-4.2.0/bin/x` for `/opt/ts/releases/base-4.2.0/bin/x`)."""
        path = posixpath.normpath(path)
        if path in self.entries:
            return path
        best = None
        for candidate in self._by_name.get(posixpath.basename(path), ()):
            rel = candidate.lstrip("./")
            if path.endswith("/" + rel) and (best is None or len(candidate) > len(best)):
                best = candidate
        return best

    # --- host settings that decide access beyond mode bits (issue 14) ---

    def mount_of(self, path: str) -> Mount | None:
        """The filesystem path lives on: the mount with the longest target that is path or above
        it (of mounts on the same target, the later listed one, which hides the earlier)."""
        return _longest_prefix(path, self.mounts, lambda m: m.target)

    def mac_mode(self) -> tuple[str, str] | None:
        """(system, mode) of mandatory access control, e.g. ("selinux", "enforcing"); an active
        system is preferred over one reported disabled."""
        if not self.mac:
            return None
        state = next((m for m in self.mac if m.mode not in ("disabled", "unknown")), self.mac[0])
        return state.system, state.mode

    def acl_of(self, path: str) -> Acl | None:
        """The ACL getfacl printed for path (getfacl may have dropped the leading '/')."""
        path = posixpath.normpath(path)
        return self.acls.get(path) or self.acls.get(path.lstrip("/")) or self.acls.get("/" + path.lstrip("/"))

    def attributes_of(self, path: str) -> FileAttributes | None:
        path = posixpath.normpath(path)
        for candidate in (path, path.lstrip("/"), "./" + path.lstrip("/"), "/" + path.lstrip("/")):
            found = self.attributes.get(posixpath.normpath(candidate))
            if found is not None:
                return found
        return None

    def process_groups(self) -> tuple[str, ...] | None:
        """The groups the running process holds (/proc/PID/status `Groups:`), as gids. These are
        the kernel's: a group added to the account after the process (or its login) started is
        absent here even though `id USER` lists it."""
        if not self.processes:
            return None
        return tuple(str(g) for g in self.processes[0].groups)

    def unit_settings(self, unit: str | None = None) -> UnitSettings | None:
        """The settings of unit (by `Id=` or file name), or of the only/first unit given."""
        if unit is None:
            return self.units[0] if self.units else None
        names = {unit, unit if "." in unit else f"{unit}.service"}
        return next((u for u in self.units if u.unit in names), None)

    def limit(self, name: str) -> str | None:
        """A `ulimit -a` value by rlimit name (`nofile`, `nproc`) or ulimit letter (`n`, `u`)."""
        key = LIMIT_LETTERS.get(name.lstrip("-"), name) if len(name.lstrip("-")) == 1 else name
        return next((lim.values[key] for lim in self.limits if key in lim.values), None)

    def kernel_setting(self, name: str) -> str | None:
        """A sysctl value by dotted name or /proc/sys path."""
        if name.startswith("/proc/sys/"):
            name = name[len("/proc/sys/"):].replace("/", ".")
        found = self.kernel.get(name)
        return found.value if found is not None else None

    def disk_of(self, path: str) -> DiskUsage | None:
        """The `df` row (blocks) of the filesystem path lives on."""
        return _longest_prefix(path, [d for d in self.disks if not d.inodes], lambda d: d.mount)

    def inode_usage(self, path: str) -> DiskUsage | None:
        """The `df -i` row (inodes) of the filesystem path lives on."""
        return _longest_prefix(path, [d for d in self.disks if d.inodes], lambda d: d.mount)


def _longest_prefix(path: str, items: list, target_of):
    path = posixpath.normpath("/" + path.lstrip("/")) if path.startswith("/") else posixpath.normpath(path)
    best, best_len = None, -1
    for item in items:
        target = target_of(item).rstrip("/") or "/"
        if target == "/" or path == target or path.startswith(target + "/"):
            if len(target) >= best_len:
                best, best_len = item, len(target)
    return best
