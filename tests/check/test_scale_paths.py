"""The shortcuts that make check fast on 100,000 files answer what the plain definitions do."""

from __future__ import annotations

import os
import random
from pathlib import Path

from faultlens.check.rules import _traversal
from faultlens.check.source import load_release
from faultlens.facts.permissions import Account, reach
from faultlens.facts.snapshot import Snapshot
from faultlens.model import FileEntry
from faultlens.parse.records import SnapshotRecords


def test_traversal_is_what_reach_checks_above_an_entry():
    rng = random.Random(4)
    entries = [FileEntry("r", "dir", 0o755, "root", "root")]
    for i in range(3000):
        parent = rng.choice([e.path for e in entries if e.type == "dir"])
        kind = "dir" if rng.random() < 0.3 else "file"
        entries.append(FileEntry(f"{parent}/n{i}", kind, rng.choice([0o755, 0o700, 0o750, 0o644, 0o711, 0o600]),
                                 rng.choice(["root", "tester", "jdoe"]), rng.choice(["root", "tester", "lab"])))
    snapshot = Snapshot(SnapshotRecords(entries=entries))
    account = Account("tester", frozenset({"tester"}))
    passable = _traversal(snapshot, account)
    for entry in entries:
        blocked = not reach(entry, snapshot.ancestors(entry.path), account, "r").ok and \
            reach(entry, snapshot.ancestors(entry.path), account, "r").blocked_at == "traverse"
        assert passable(entry.path) == (not blocked), entry.path


def test_a_folder_is_read_in_os_walk_order_without_following_links(tmp_path: Path):
    root = tmp_path / "rel"
    for d in ("b/z", "a", "b/y/x"):
        (root / d).mkdir(parents=True)
    for f in ("a/2", "a/1", "b/z/f", "top", "b/y/x/deep"):
        (root / f).write_text("#!/bin/sh\n")
    (root / "b" / "link").symlink_to("../a")
    (root / "b" / "y" / "x" / "deep").chmod(0o600)
    expected = ["rel"]
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        rel = Path(folder).relative_to(tmp_path).as_posix()
        expected += [f"{rel}/{n}" for n in sorted(dirs + files)]
    release = load_release(str(root), "auto", "root", "tester", 0o022)
    assert [e.path for e in release.entries] == expected
    assert next(e for e in release.entries if e.path == "rel/b/link").type == "symlink"
    assert next(e for e in release.entries if e.path == "rel/b/y/x/deep").mode == 0o600
    assert release.peeks["rel/a/1"].shebang
