"""Who the test software runs as: given, read from `id` output, or inferred from the releases."""

from __future__ import annotations

from collections import Counter

from faultlens.facts.permissions import Account
from faultlens.facts.snapshot import Snapshot
from faultlens.facts.trees import Tree
from faultlens.model import ServiceAccount


def service_account(user: str | None, snapshot: Snapshot, sets: list[list[Tree]]) -> tuple[Account | None, ServiceAccount]:
    """The account to reason for, and how it was chosen (said in the output)."""
    identities = {i.user: i for i in snapshot.identities}
    if user:
        ident = identities.get(user)
        groups = frozenset(ident.groups if ident else ()) | ({ident.group} if ident and ident.group else set())
        how = "given with --user" + (f", groups from {ident.at.source}" if ident and ident.at else "")
        return Account(user, groups, ident.uid if ident else None), ServiceAccount(user, how, tuple(sorted(groups)))
    non_root = [i for i in snapshot.identities if i.uid != 0]
    if non_root:
        ident = non_root[0]
        groups = frozenset(ident.groups) | ({ident.group} if ident.group else set())
        where = f"{ident.at.source}:{ident.at.line}" if ident.at else "id output"
        return (Account(ident.user, groups, ident.uid),
                ServiceAccount(ident.user, f"inferred from id output ({where})", tuple(sorted(groups))))
    owner = _owner_of_working_siblings(sets)
    if owner:
        return Account(owner), ServiceAccount(owner, "inferred: owner of the sibling releases whose modes are not restrictive")
    return None, ServiceAccount(None, "not known: give --user or include `id` output; meanwhile reasoning for any user other than the owner")


def is_personal(owner: str | None, account: Account, system_accounts) -> bool:
    """A person's account: not the service account, not root or a system account (by name, or
    uid 1000 and up when only a number is known)."""
    if not owner or owner in (account.name, str(account.uid)):
        return False
    if owner.isdigit():
        return int(owner) >= 1000
    return not system_accounts.search(owner)


def _owner_of_working_siblings(sets: list[list[Tree]]) -> str | None:
    """Where releases sit side by side and some were made under a restrictive umask, the owner of
    the others is the account that uses them."""
    votes = Counter()
    for group in sets:
        restrictive = [t for t in group if t.umask and t.umask.restrictive]
        usual = [t for t in group if t.umask and not t.umask.restrictive and t.owner and t.owner != "root"]
        if restrictive and usual:
            votes.update(t.owner for t in usual)
    if not votes:
        return None
    (owner, n), *rest = votes.most_common(2)
    return owner if not rest or rest[0][1] < n else None
