"""What changed on disk between a passing run and the failing one (the baseline comparison)."""

from __future__ import annotations

import posixpath
from collections import defaultdict

from msgspec import Struct

from faultlens.facts.snapshot import Snapshot
from faultlens.model import FileEntry
from faultlens.parse.modes import format_mode


class Change(Struct, frozen=True):
    kind: str  # changed (mode or owner) | size | missing | new
    before: FileEntry | None
    after: FileEntry | None

    @property
    def entry(self) -> FileEntry:
        return self.after or self.before


def compare(now: Snapshot, then: Snapshot) -> list[Change]:
    """Entries whose mode or owner changed, that changed size, vanished or appeared. Presence is
    only judged inside directories both snapshots list, so a narrower listing is no deletion."""
    listed_now = {posixpath.dirname(p) for p in now.entries}
    listed_then = {posixpath.dirname(p) for p in then.entries}
    out = []
    for path, old in then.entries.items():
        new = now.entries.get(path)
        if new is None:
            if posixpath.dirname(path) in listed_now:
                out.append(Change("missing", old, None))
        elif (new.mode, new.owner, new.group) != (old.mode, old.owner, old.group):
            out.append(Change("changed", old, new))
        elif new.type == old.type == "file" and None not in (new.size, old.size) and new.size != old.size:
            out.append(Change("size", old, new))
    out += [Change("new", None, new) for path, new in now.entries.items()
            if path not in then.entries and posixpath.dirname(path) in listed_then]
    return out


def _state(e: FileEntry) -> str:
    return f"{format_mode(e.mode)} {e.owner}"


def _noun(items: list[Change]) -> str:
    types = {c.entry.type for c in items}
    word = {"file": ("file", "files"), "dir": ("directory", "directories")}.get(types.pop() if len(types) == 1 else "",
                                                                           ("entry", "entries"))
    return f"{len(items)} {word[0] if len(items) == 1 else word[1]}"


def _are(items: list) -> str:
    return "is" if len(items) == 1 else "are"


def summaries(changes: list[Change]) -> list[tuple[str, list[Change]]]:
    """Changes grouped by what happened, biggest group first:
    "412 files changed from 0644 tester to 0600 jdoe since the passing run"."""
    groups: dict[tuple, list[Change]] = defaultdict(list)
    for c in changes:
        key = (c.kind, _state(c.before), _state(c.after)) if c.kind == "changed" else (c.kind,)
        groups[key].append(c)
    text = {
        "changed": lambda items, key: f"{_noun(items)} changed from {key[1]} to {key[2]} since the passing run",
        "missing": lambda items, key: f"{_noun(items)} present in the passing run {_are(items)} missing",
        "new": lambda items, key: f"{_noun(items)} {_are(items)} new since the passing run",
        "size": lambda items, key: f"{_noun(items)} changed size since the passing run",
    }
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [(text[key[0]](items, key), items) for key, items in ordered]
