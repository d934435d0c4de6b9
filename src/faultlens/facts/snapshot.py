"""The filesystem as the snapshot inputs describe it: one entry per path, queried by path."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from functools import cached_property

from faultlens.model import FileEntry, Identity, UmaskSetting
from faultlens.parse.records import DiskUsage, SnapshotRecords


class Snapshot:
    def __init__(self, records: SnapshotRecords):
        self.entries: dict[str, FileEntry] = {}
        for entry in records.entries:
            # a later, fuller description of the same path (stat after ls) wins
            known = self.entries.get(entry.path)
            if known is None or (entry.size is not None or known.size is None):
                self.entries[entry.path] = entry
        self.identities: list[Identity] = records.identities
        self.umasks: list[UmaskSetting] = records.umasks
        self.disks: list[DiskUsage] = records.disks

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
        return bool(self.entries or self.identities or self.umasks or self.disks)

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
