"""Trees in a snapshot: each directory with everything below it, its owner and its umask,
and the sibling trees (releases side by side) that differ from the rest."""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict

from msgspec import Struct

from faultlens.facts.permissions import Account, UmaskGuess, allowed, infer_umask
from faultlens.facts.snapshot import Snapshot
from faultlens.model import FileEntry


class Tree(Struct, frozen=True):
    root: str
    members: tuple[FileEntry, ...]  # the root's own entry (if listed) and everything below
    owner: str | None
    owner_share: float
    umask: UmaskGuess | None

    @property
    def size(self) -> int:
        return len(self.members)

    def unreadable(self, account: Account) -> list[FileEntry]:
        """Members whose own mode denies the account (read for files, read+search for dirs)."""
        out = []
        for e in self.members:
            if e.type == "file" and not allowed(e, account, "r"):
                out.append(e)
            elif e.type == "dir" and not (allowed(e, account, "r") and allowed(e, account, "x")):
                out.append(e)
        return out


def trees(snapshot: Snapshot) -> dict[str, Tree]:
    """Every directory of the snapshot (listed, or implied by its contents) as a tree."""
    members: dict[str, list[FileEntry]] = defaultdict(list)
    for path, entry in snapshot.entries.items():
        if entry.type == "dir":
            members[path].append(entry)
        current = path
        while True:
            parent = posixpath.dirname(current)
            if parent == current or parent == "":
                break
            members[parent].append(entry)
            current = parent
    return {root: _profile(root, tuple(items)) for root, items in members.items()}


def _profile(root: str, members: tuple[FileEntry, ...]) -> Tree:
    owners = Counter(e.owner for e in members if e.owner is not None and e.type != "symlink")
    owner, count = owners.most_common(1)[0] if owners else (None, 0)
    considered = sum(owners.values())
    return Tree(root, members, owner, count / considered if considered else 0.0, infer_umask(list(members)))


def sibling_sets(snapshot: Snapshot, all_trees: dict[str, Tree]) -> list[list[Tree]]:
    """Groups of two or more directories side by side (releases/base-4.1.0, releases/base-4.2.0...)."""
    out = []
    for parent, children in snapshot.children_by_dir.items():
        dirs = [all_trees[c] for c in children if c in all_trees and _is_dir(snapshot, c)]
        if len(dirs) >= 2:
            out.append(sorted(dirs, key=lambda t: t.root))
    implied: dict[str, list[Tree]] = defaultdict(list)
    for root, tree in all_trees.items():
        if snapshot.get(root) is None:  # a directory known only from its contents (tar, find)
            implied[posixpath.dirname(root)].append(tree)
    for parent, group in implied.items():
        if len(group) >= 2 and not any(parent == p for p in snapshot.children_by_dir):
            out.append(sorted(group, key=lambda t: t.root))
    return out


def _is_dir(snapshot: Snapshot, path: str) -> bool:
    entry = snapshot.get(path)
    return entry is not None and entry.type == "dir"


def profile_key(tree: Tree) -> tuple[str | None, int | None]:
    return tree.owner, (tree.umask.umask if tree.umask else None)


class Outlier(Struct, frozen=True):
    tree: Tree
    reference: Tree  # a sibling with the usual profile
    differs_in: tuple[str, ...]  # "owner", "mode"


def outliers(sets: list[list[Tree]], account: Account | None) -> list[Outlier]:
    """Trees that differ from their siblings in owner or mode pattern.

    With an account, the usual profile is that of the siblings it can use; without, the profile
    most siblings share (needs three or more).
    """
    found = []
    for group in sets:
        if account is not None:
            good = [t for t in group if len(t.unreadable(account)) <= 0.1 * t.size]
        else:
            counts = Counter(profile_key(t) for t in group)
            key, n = counts.most_common(1)[0]
            good = [t for t in group if profile_key(t) == key] if len(group) >= 3 and n > len(group) / 2 else []
        if not good:
            continue
        usual = Counter(profile_key(t) for t in good).most_common(1)[0][0]
        reference = next(t for t in good if profile_key(t) == usual)
        for tree in group:
            key = profile_key(tree)
            if tree in good or key == usual:
                continue
            differs = tuple(name for name, a, b in (("owner", key[0], usual[0]), ("mode", key[1], usual[1])) if a != b)
            found.append(Outlier(tree, reference, differs))
    return found
