"""Everything the fact checks look at, computed once per explanation."""

from __future__ import annotations

import posixpath

from msgspec import Struct, field
from msgspec.structs import replace

from faultlens.facts.accounts import is_personal, service_account
from faultlens.facts.baseline import compare
from faultlens.facts.permissions import Account, Reach, allowed, reach
from faultlens.facts.snapshot import Snapshot
from faultlens.facts.trees import Outlier, Tree, outliers, sibling_sets, trees
from faultlens.kb.model import Lexicon
from faultlens.kb.patterns import text_pattern
from faultlens.match import Hit
from faultlens.model import Event, FileEntry, ServiceAccount

# Reasoning for "someone who is neither the owner nor in the group" when no account is known.
ANY_OTHER_USER = Account("(any other user)")


class DeniedPath(Struct, frozen=True):
    """A path a log line says access was denied to, checked against the snapshot."""

    hit: Hit
    access: str  # r, w, x, or s (look-up only)
    path: str
    entry: FileEntry
    reach: Reach
    # restrictive-mode | not-traversable | not-executable | wrong-owner | allowed-by-modes |
    # partly-known (the modes the snapshot shows allow it, but directories above are not shown) |
    # group-decides (the account is unknown and the entry's group may: its membership decides)
    diagnosis: str
    op: str | None = None  # the failed operation, from the event
    unknown: tuple[str, ...] = ()  # directories above the path the snapshot does not show
    creating: bool = False  # the path did not exist: the access was to create it in its directory


class FactContext(Struct):
    snapshot: Snapshot
    trees: dict[str, Tree]
    sets: list[list[Tree]]
    outliers: list[Outlier]
    account: Account
    account_known: bool
    service: ServiceAccount
    denied: list[DeniedPath]
    system_accounts: object
    executable_names: object
    private_key_names: object
    changes: list = field(default_factory=list)  # facts.baseline.Change, when a passing run is given
    events: tuple[Event, ...] = ()  # the failure events read from the logs

    def is_personal(self, owner: str | None) -> bool:
        return is_personal(owner, self.account, self.system_accounts)


# What an operation needs of the path it names: w on its directory to create, rename, lock or
# remove; x to run it; only search on the way to look it up; r to open it; w on a unix socket to
# connect to it (its mode is the server's listen mode, never a release's umask).
OP_ACCESS = {"connect": "w", "create": "w", "mkdir": "w", "rename": "w", "lock": "w", "unlink": "w", "write": "w", "chown": "w",
             "chmod": "w", "exec": "x", "stat": "s", "chdir": "x", "open": "r", "read": "r", "load": "r", "watch": "r"}
IN_PARENT = frozenset({"create", "mkdir", "rename", "lock", "unlink"})
DENIED = frozenset({"EACCES", "EPERM"})


def build_context(snapshot: Snapshot, user: str | None, access_hits: list[tuple[Hit, str]], lexicon: Lexicon,
                  baseline: Snapshot | None = None, events: tuple[Event, ...] = ()) -> FactContext:
    all_trees = trees(snapshot)
    sets = sibling_sets(snapshot, all_trees)
    account, service = service_account(user, snapshot, sets)
    known = account is not None
    account = account or ANY_OTHER_USER
    ctx = FactContext(snapshot, all_trees, sets, outliers(sets, account if known else None), account, known,
                      service, [], text_pattern(lexicon.system_accounts), text_pattern(lexicon.executable_names),
                      text_pattern(lexicon.private_key_names))
    ctx.events = events
    if baseline is not None:
        ctx.changes = compare(snapshot, baseline)
    path_re = text_pattern(lexicon.path)
    by_line = {(e.source, e.line): e for e in events if e.errno in DENIED}
    pathless: list[tuple[Hit, str, str | None]] = []
    for hit, access in _most_specific_access(access_hits):
        event = by_line.get((hit.source, hit.line))
        op = event.op if event is not None else None
        if op in OP_ACCESS:
            access = OP_ACCESS[op]
        paths = path_re.findall(hit.text)
        if event is not None and event.object and event.object.startswith("/"):
            paths = [event.object] + [p for p in paths if p != event.object]
        for path in paths:
            denied = _locate(ctx, hit, access, path, op)
            if denied is not None:
                ctx.denied.append(denied)
                break
        else:
            if not paths and not pathless:
                pathless.append((hit, access, op))
    only = _only_file(snapshot)
    if not ctx.denied and pathless and only is not None:
        # the message names no path (a wrapped "Unable to load configuration file (Permission
        # denied):" with the path on the next line) and the snapshot shows one file alone: the
        # file the reader listed is the one in question
        hit, access, op = pathless[0]
        ctx.denied.append(_diagnose(ctx, hit, access, only.path, only, op))
    return ctx


def _only_file(snapshot: Snapshot) -> FileEntry | None:
    entries = list(snapshot.entries.values())
    if len(entries) == 1 and entries[0].type == "file" and entries[0].mode_known:
        return entries[0]
    return None


def _locate(ctx: FactContext, hit: Hit, access: str, path: str, op: str | None) -> DeniedPath | None:
    """The path itself if the snapshot has it and the operation is on it; else its directory:
    creating, renaming, locking or removing a file needs write access to the directory (a denied
    path the listing does not show, in a directory it does, was being created); reaching one needs
    to enter it."""
    found = ctx.snapshot.resolve(path)
    if found is not None and op not in IN_PARENT:
        return _diagnose(ctx, hit, access, path, ctx.snapshot.entries[found], op)
    parent = ctx.snapshot.resolve(posixpath.dirname(path.rstrip("/")))
    if parent is None:
        return _blocking_ancestor(ctx, hit, path, op)
    if ctx.snapshot.entries[parent].type != "dir":
        return None
    want = "w" if access == "w" or op in IN_PARENT else ("s" if access == "s" else "x")
    return _diagnose(ctx, hit, want, path, ctx.snapshot.entries[parent], op, creating=found is None)


def _blocking_ancestor(ctx: FactContext, hit: Hit, path: str, op: str | None) -> DeniedPath | None:
    """Neither the path nor its directory is listed, a directory further up is (`ls -ld /home/u`
    beside a refused /home/u/www/site/x.js): a directory that cannot be entered keeps everything
    below it out of reach, whatever lies in between; one that can be entered says nothing."""
    current = posixpath.dirname(posixpath.dirname(path.rstrip("/")))
    while current and current not in ("/", "."):
        found = ctx.snapshot.resolve(current)
        if found is not None:
            entry = ctx.snapshot.entries[found]
            if entry.type != "dir":
                return None
            denied = _diagnose(ctx, hit, "x", path, entry, op)
            if denied.diagnosis == "restrictive-mode" and _alone(ctx, entry):
                # one private directory (a 0700 home) is no tree built under a restrictive umask
                return replace(denied, diagnosis="not-traversable")
            return denied if denied.diagnosis in ("not-traversable", "restrictive-mode") else None
        parent = posixpath.dirname(current)
        if parent == current:  # "//": nothing further up
            return None
        current = parent
    return None


def _alone(ctx: FactContext, entry: FileEntry) -> bool:
    tree = ctx.trees.get(entry.path)
    return tree is None or tree.size < 2


_SPECIFICITY = {"r": 0, "s": 1, "w": 2, "x": 3}


def _most_specific_access(access_hits: list[tuple[Hit, str]]) -> list[tuple[Hit, str]]:
    """One access per log line: a line that says exec or write failed is not a failed read."""
    best: dict[tuple[str, int], tuple[Hit, str]] = {}
    for hit, access in access_hits:
        key = (hit.source, hit.line)
        if key not in best or _SPECIFICITY[access] > _SPECIFICITY[best[key][1]]:
            best[key] = (hit, access)
    return [best[k] for k in sorted(best)]


def _diagnose(ctx: FactContext, hit: Hit, access: str, path: str, entry: FileEntry, op: str | None = None,
              creating: bool = False) -> DeniedPath:
    result = reach(entry, ctx.snapshot.ancestors(entry.path), ctx.account, access)
    blocker = result.blocker
    unknown = tuple(_unknown_ancestors(ctx.snapshot, entry.path))
    if result.ok:
        diagnosis = "partly-known" if unknown else "allowed-by-modes"
    elif not ctx.account_known and blocker is entry and _group_grants(entry, access):
        # who the software runs as is unknown and the entry's group may do what was denied: whether
        # the account is in that group decides it (wrong group, group not active, or an owner to
        # change): no diagnosis from the modes (a group named root is no service account's)
        diagnosis = "group-decides"
    elif result.blocked_at == "traverse" or (blocker.type == "dir" and access != "w"):
        tree = ctx.trees.get(blocker.path)
        mostly_private = tree is not None and tree.umask is not None and tree.umask.restrictive \
            and len(tree.unreadable(ctx.account)) > tree.size / 2
        diagnosis = "restrictive-mode" if mostly_private else "not-traversable"
    elif access == "w":
        diagnosis = "wrong-owner"  # writing is the owner's right: someone else owns it
    elif access == "x" and allowed(entry, ctx.account, "r"):
        diagnosis = "not-executable"
    else:
        diagnosis = "wrong-owner" if _owner_outlier_only(ctx, entry) else "restrictive-mode"
    return DeniedPath(hit, access, path, entry, result, diagnosis, op, unknown, creating)


def _group_grants(entry: FileEntry, access: str) -> bool:
    bit = {"r": 4, "w": 2, "x": 1}.get(access)
    return bit is not None and entry.mode_known and entry.group not in (None, "root", "wheel", "0") \
        and bool((entry.mode >> 3) & bit) and entry.type != "dir"


def _unknown_ancestors(snapshot: Snapshot, path: str) -> list[str]:
    """The directories above path that the snapshot does not show (a relative path, as in a tar
    listing, has unknown directories above its top too)."""
    out, current = [], posixpath.dirname(path)
    while current and current not in ("/", "."):
        if snapshot.get(current) is None:
            out.append(current)
        current = posixpath.dirname(current)
    if not path.startswith("/"):
        out.append("(the directories the listing's paths are relative to)")
    return out[::-1]


def _owner_outlier_only(ctx: FactContext, entry: FileEntry) -> bool:
    """The entry sits in a release that differs from its siblings by owner alone."""
    return any(o.differs_in == ("owner",) and entry in o.tree.members for o in ctx.outliers)
