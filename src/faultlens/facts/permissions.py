"""Permission reasoning: who can read, write, execute or traverse what, and what umask made a tree.

Pure functions over FileEntry records; nothing here reads the disk or knows about causes.
"""

from __future__ import annotations

from collections import Counter

from msgspec import Struct

from faultlens.model import Access, FileEntry

_WANT_BIT = {"r": 4, "w": 2, "x": 1}


class Account(Struct, frozen=True):
    name: str
    groups: frozenset[str] = frozenset()
    uid: int | None = None

    @property
    def is_root(self) -> bool:
        return self.name == "root" or self.uid == 0

    def is_owner(self, entry: FileEntry) -> bool:
        return entry.owner is not None and entry.owner in (self.name, str(self.uid))

    def in_group(self, entry: FileEntry) -> bool:
        return entry.group is not None and entry.group in self.groups


def permission_class(entry: FileEntry, account: Account) -> str:
    if account.is_owner(entry):
        return "owner"
    if account.in_group(entry):
        return "group"
    return "other"


def allowed(entry: FileEntry, account: Account, want: Access) -> bool:
    """Do the mode bits let the account read / write / execute (search, for a directory) it?"""
    if entry.type == "symlink":
        return True  # a symlink's own mode is never checked
    if account.is_root:
        return want != "x" or entry.type == "dir" or bool(entry.mode & 0o111)
    shift = {"owner": 6, "group": 3, "other": 0}[permission_class(entry, account)]
    return bool((entry.mode >> shift) & _WANT_BIT[want])


class Reach(Struct, frozen=True):
    """Can the account reach a path with the access it wants, and if not, what stops it."""

    ok: bool
    blocker: FileEntry | None = None
    blocked_at: str = ""  # "traverse" (a directory above) or the wanted access on the entry itself


def reach(entry: FileEntry, ancestors: list[FileEntry], account: Account, want: Access | str) -> Reach:
    """want: r, w, x, or s (only to look it up: stat needs search on every directory above)."""
    for directory in ancestors:
        if directory.type == "dir" and not allowed(directory, account, "x"):
            return Reach(False, directory, "traverse")
    if want == "s":
        return Reach(True)
    if entry.type == "dir" and want == "r":
        ok = allowed(entry, account, "r") and allowed(entry, account, "x")
    else:
        ok = allowed(entry, account, want)
    return Reach(ok, None if ok else entry, "" if ok else want)


# Every umask a person is likely to have: owner bits kept, group/other bits from this set.
_PART = (0, 2, 5, 6, 7)
CANDIDATE_UMASKS = tuple(g << 3 | o for g in _PART for o in _PART)


class UmaskGuess(Struct, frozen=True):
    umask: int
    support: int  # entries whose mode this umask explains exactly
    total: int  # entries considered

    @property
    def share(self) -> float:
        return self.support / self.total if self.total else 0.0

    @property
    def restrictive(self) -> bool:
        """Others lose read: files made under it are private to owner (and maybe group)."""
        return bool(self.umask & 0o004)


def _executable(entry: FileEntry) -> bool:
    return entry.type == "dir" or bool(entry.mode & 0o100)


def _created(executable: bool, umask: int) -> int:
    return (0o777 if executable else 0o666) & ~umask


def created_mode(entry: FileEntry, umask: int) -> int:
    """The mode a file like this one gets when created under umask (executables keep x)."""
    return _created(_executable(entry), umask)


def infer_umask(entries: list[FileEntry]) -> UmaskGuess | None:
    """The umask that explains the most modes in a tree (files and directories, not symlinks)."""
    considered = [e for e in entries if e.type in ("file", "dir")]
    if not considered:
        return None
    # entries alike in what created_mode looks at count together: a tree has few distinct modes
    alike = Counter((_executable(e), e.mode & 0o777) for e in considered)
    counts = Counter()
    for umask in CANDIDATE_UMASKS:
        counts[umask] = sum(n for (executable, mode), n in alike.items() if mode == _created(executable, umask))
    # most support; on a tie the less restrictive umask (fewer bits) is the safer claim
    umask, support = max(counts.items(), key=lambda kv: (kv[1], -bin(kv[0]).count("1"), -kv[0]))
    if support == 0:
        return None
    return UmaskGuess(umask, support, len(considered))
