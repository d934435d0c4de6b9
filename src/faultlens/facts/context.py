"""Everything the fact checks look at, computed once per explanation."""

from __future__ import annotations

import posixpath

from msgspec import Struct, field

from faultlens.facts.accounts import is_personal, service_account
from faultlens.facts.baseline import compare
from faultlens.facts.permissions import Account, Reach, allowed, reach
from faultlens.facts.snapshot import Snapshot
from faultlens.facts.trees import Outlier, Tree, outliers, sibling_sets, trees
from faultlens.kb.model import Lexicon
from faultlens.kb.patterns import text_pattern
from faultlens.match import Hit
from faultlens.model import FileEntry, ServiceAccount

# Reasoning for "someone who is neither the owner nor in the group" when no account is known.
ANY_OTHER_USER = Account("(any other user)")


class DeniedPath(Struct, frozen=True):
    """A path a log line says access was denied to, checked against the snapshot."""

    hit: Hit
    access: str
    path: str
    entry: FileEntry
    reach: Reach
    diagnosis: str  # restrictive-mode | not-traversable | not-executable | wrong-owner | allowed-by-modes


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

    def is_personal(self, owner: str | None) -> bool:
        return is_personal(owner, self.account, self.system_accounts)


def build_context(snapshot: Snapshot, user: str | None, access_hits: list[tuple[Hit, str]], lexicon: Lexicon,
                  baseline: Snapshot | None = None) -> FactContext:
    all_trees = trees(snapshot)
    sets = sibling_sets(snapshot, all_trees)
    account, service = service_account(user, snapshot, sets)
    known = account is not None
    account = account or ANY_OTHER_USER
    ctx = FactContext(snapshot, all_trees, sets, outliers(sets, account if known else None), account, known,
                      service, [], text_pattern(lexicon.system_accounts), text_pattern(lexicon.executable_names),
                      text_pattern(lexicon.private_key_names))
    if baseline is not None:
        ctx.changes = compare(snapshot, baseline)
    path_re = text_pattern(lexicon.path)
    for hit, access in _most_specific_access(access_hits):
        for path in path_re.findall(hit.text):
            denied = _locate(ctx, hit, access, path)
            if denied is not None:
                ctx.denied.append(denied)
                break
    return ctx


def _locate(ctx: FactContext, hit: Hit, access: str, path: str) -> DeniedPath | None:
    """The path itself if the snapshot has it; else its directory: creating a file needs write
    access to the directory, reaching one needs to enter it."""
    found = ctx.snapshot.resolve(path)
    if found is not None:
        return _diagnose(ctx, hit, access, path, ctx.snapshot.entries[found])
    parent = ctx.snapshot.resolve(posixpath.dirname(path.rstrip("/")))
    if parent is None or ctx.snapshot.entries[parent].type != "dir":
        return None
    return _diagnose(ctx, hit, "w" if access == "w" else "x", path, ctx.snapshot.entries[parent])


_SPECIFICITY = {"r": 0, "w": 1, "x": 2}


def _most_specific_access(access_hits: list[tuple[Hit, str]]) -> list[tuple[Hit, str]]:
    """One access per log line: a line that says exec or write failed is not a failed read."""
    best: dict[tuple[str, int], tuple[Hit, str]] = {}
    for hit, access in access_hits:
        key = (hit.source, hit.line)
        if key not in best or _SPECIFICITY[access] > _SPECIFICITY[best[key][1]]:
            best[key] = (hit, access)
    return [best[k] for k in sorted(best)]


def _diagnose(ctx: FactContext, hit: Hit, access: str, path: str, entry: FileEntry) -> DeniedPath:
    result = reach(entry, ctx.snapshot.ancestors(entry.path), ctx.account, access)
    blocker = result.blocker
    if result.ok:
        diagnosis = "allowed-by-modes"
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
    return DeniedPath(hit, access, path, entry, result, diagnosis)


def _owner_outlier_only(ctx: FactContext, entry: FileEntry) -> bool:
    """The entry sits in a release that differs from its siblings by owner alone."""
    return any(o.differs_in == ("owner",) and entry in o.tree.members for o in ctx.outliers)
