"""check(PATH) -> CheckReport: read the release, decide who uses it, run the rules. No printing."""

from __future__ import annotations

import grp
import pwd

from faultlens.check.archive import DEFAULT_LIMITS, Limits
from faultlens.check.layout import ALL_INSTALLERS
from faultlens.check.rules import CheckReport, run_checks
from faultlens.check.source import load_release
from faultlens.facts.permissions import Account
from faultlens.ingest.sources import InputError
from faultlens.kb.model import KnowledgeBase

EXTRACT_CHOICES = ("root", "user")
INSTALLER_CHOICES = ALL_INSTALLERS


def check(path: str, user: str, groups: list[str], kb: KnowledgeBase, extract_as: str = "root",
          umask: int = 0o022, installer: str = "auto", limits: Limits = DEFAULT_LIMITS) -> CheckReport:
    account, how = _account(user, groups)
    release = load_release(path, installer, extract_as, user, umask, limits)
    if not release.entries:
        raise InputError(f"{path}: holds no files to check")
    release.notes.append(how)
    return run_checks(release, account, kb.lexicon)


def _account(user: str, groups: list[str]) -> tuple[Account, str]:
    if groups:
        return Account(user, frozenset(groups)), f"{user} in groups {', '.join(sorted(groups))} (given)"
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return Account(user, frozenset({user})), f"{user} is not known on this host: assuming its only group is {user}"
    names = {g.gr_name for g in grp.getgrall() if user in g.gr_mem}
    try:
        names.add(grp.getgrgid(entry.pw_gid).gr_name)
    except KeyError:
        pass
    return Account(user, frozenset(names), entry.pw_uid), f"{user} in groups {', '.join(sorted(names))} (from this host)"
