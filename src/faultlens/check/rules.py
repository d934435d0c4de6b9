"""What would stop the service account from using a release: each rule returns grouped findings."""

from __future__ import annotations

import posixpath
import time
from collections import Counter, defaultdict

from msgspec import Struct

from faultlens.check.source import Release
from faultlens.facts.accounts import is_personal
from faultlens.facts.permissions import Account, allowed, infer_umask
from faultlens.facts.snapshot import Snapshot
from faultlens.kb.model import Lexicon
from faultlens.kb.patterns import text_pattern
from faultlens.model import FileEntry
from faultlens.parse.modes import format_mode
from faultlens.parse.records import SnapshotRecords


class CheckGroup(Struct, frozen=True):
    check: str  # one of ALL_CHECKS
    severity: str  # error: something would fail; warning: worth a look; note: as meant, said so
    title: str
    entries: tuple[FileEntry, ...]
    fix: str


# every check, in the order a report lists them (JUnit has one test case each)
ALL_CHECKS = ("untraversable", "unreadable", "restrictive-umask", "exec-bit", "crlf", "symlink-dangling", "path-escape",
              "personal-owner", "world-writable", "setuid", "symlink-outside", "private", "script-not-executable")

SEVERITIES = ("error", "warning", "note")


class CheckReport(Struct, frozen=True):
    target: str
    kind: str
    user: str
    groups: tuple[CheckGroup, ...]
    checked: int
    notes: tuple[str, ...]
    entries: tuple[FileEntry, ...] = ()  # every entry checked, as laid out
    skipped: tuple[tuple[str, str], ...] = ()  # (check, why it could not run on this input)
    seconds: float = 0.0  # how long the checks took (JUnit's time)
    timings: tuple[tuple[str, float], ...] = ()  # (check, seconds of the rule that answers it, shared among its checks)
    peeks: dict = {}  # path -> content.Peek, where the content was read

    @property
    def failed(self) -> bool:
        return any(g.severity == "error" for g in self.groups)


class Scope(Struct):
    """What every rule may look at: the release as laid out, its entries by path, who uses it,
    the knowledge base's lexicon, and the groups the rules before it found."""
    release: Release
    snapshot: Snapshot
    account: Account
    lexicon: Lexicon
    found: list


# the rules in the order they run, each with the checks it answers (JUnit's test cases)
RULES = (
    (("untraversable", "unreadable", "private"), lambda s: _access(s.snapshot, s.account, _private(s.lexicon))),
    (("restrictive-umask",), lambda s: _umask(s.release, any(g.severity == "error" for g in s.found))),
    (("exec-bit", "crlf", "script-not-executable"), lambda s: _execution(s.release, s.account, s.lexicon)),
    (("personal-owner", "world-writable", "setuid"), lambda s: _ownership_and_modes(s.release, s.account, s.lexicon)),
    (("symlink-dangling", "symlink-outside"), lambda s: _symlinks(s.release, s.snapshot)),
    (("path-escape",), lambda s: _escaping(s.release)),
)


def run_checks(release: Release, account: Account, lexicon: Lexicon) -> CheckReport:
    started = time.perf_counter()
    scope = Scope(release, Snapshot(SnapshotRecords(entries=release.entries)), account, lexicon, [])
    timings: dict[str, float] = {}
    for checks, rule in RULES:
        began = time.perf_counter()
        scope.found += [g for g in rule(scope) if g.check not in release.skipped]
        share = (time.perf_counter() - began) / len(checks)
        timings.update((check, share) for check in checks)
    groups = sorted(scope.found, key=lambda g: SEVERITIES.index(g.severity))  # what would fail first
    return CheckReport(release.label, release.kind, account.name, tuple(groups), len(release.entries), tuple(release.notes),
                       tuple(release.entries), tuple(sorted(release.skipped.items())), time.perf_counter() - started,
                       tuple(sorted(timings.items())), dict(release.peeks))


def _private(lexicon: Lexicon):
    """path -> is it, or a directory above it, kept from other accounts on purpose."""
    paths, keys = text_pattern(lexicon.private_paths), text_pattern(lexicon.private_key_names)
    known: dict[str, bool] = {}

    def private(path: str) -> bool:
        chain = []
        while path not in known:
            chain.append(path)
            parent = posixpath.dirname(path)
            if not parent or parent == path:
                known[parent] = False  # above the top
            path = parent
        answer = known[path]
        for below in reversed(chain):  # from the top down: private below a private folder
            answer = answer or bool(paths.search(below) or keys.search(posixpath.basename(below)))
            known[below] = answer
        return answer

    return private


def _access(snapshot: Snapshot, account: Account, private) -> list[CheckGroup]:
    """Directories the account cannot enter, files it cannot read by their own modes, and how many
    entries that are fine in themselves sit unreachable below a closed directory. What is kept
    from other accounts on purpose (sudoers, shadow, private keys) is a note."""
    closed: list[FileEntry] = []
    unreadable: list[FileEntry] = []
    meant: list[FileEntry] = []
    hidden = 0
    traversable = _traversal(snapshot, account)
    for entry in snapshot.entries.values():
        if entry.type == "dir":
            searchable = allowed(entry, account, "x")
            own_ok = searchable and allowed(entry, account, "r")
        elif entry.type == "file":
            searchable, own_ok = True, allowed(entry, account, "r")
        else:
            continue
        if own_ok:
            if not traversable(entry.path) and not private(entry.path):
                hidden += 1
        elif private(entry.path):  # asked only of what the account cannot use: the few
            meant.append(entry)
        elif not searchable:
            closed.append(entry)
        else:
            unreadable.append(entry)  # a file it cannot read, or a folder it can enter but not list
    out = []
    if closed:
        closed.sort(key=lambda e: e.path)
        below = f"; {hidden} entries with fine modes are unreachable below them" if hidden else ""
        out.append(CheckGroup("untraversable", "error",
                              f"{_count(closed, 'directory', 'directories')} {account.name} cannot enter ({_patterns(closed)}){below}",
                              tuple(closed), "chmod a+rx these directories (or give the group access), or build under umask 022"))
    if unreadable:
        unreadable.sort(key=lambda e: e.path)
        out.append(CheckGroup("unreadable", "error",
                              f"{_count(unreadable, 'entry', 'entries')} {account.name} cannot read ({_patterns(unreadable)})",
                              tuple(unreadable), "chmod a+r (files) / a+rX (trees), or build the package under umask 022"))
    if meant:
        meant.sort(key=lambda e: e.path)
        out.append(CheckGroup("private", "note",
                              f"{_count(meant, 'entry', 'entries')} {account.name} cannot read, private on purpose "
                              f"(sudoers, shadow, private keys ...: {_patterns(meant)})",
                              tuple(meant), "nothing to do, unless the service account must read them"))
    return out


def _traversal(snapshot: Snapshot, account: Account):
    """path -> can the account pass every directory above it that the snapshot knows (what
    reach() checks first), each directory decided once."""
    known: dict[str, bool] = {}

    def passable(folder: str) -> bool:
        chain = []
        while folder not in known:
            parent = posixpath.dirname(folder)
            chain.append(folder)
            if parent == folder or not folder:
                known[folder] = True  # above the top: nothing to pass
                chain.pop()
                break
            folder = parent
        ok = known[folder]
        for below in reversed(chain):  # from the top down
            entry = snapshot.get(below)
            ok = ok and (entry is None or entry.type != "dir" or allowed(entry, account, "x"))
            known[below] = ok
        return ok

    return lambda path: passable(posixpath.dirname(path))


def _count(items: list, one: str, many: str) -> str:
    return f"{len(items)} {one if len(items) == 1 else many}"


def _patterns(entries: list[FileEntry]) -> str:
    counts = Counter(f"{format_mode(e.mode)} {e.owner}:{e.group}" for e in entries)
    shown = [f"{n} x {p}" for p, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
    return ", ".join(shown) + (", ..." if len(counts) > 3 else "")


def _umask(release: Release, access_failed: bool) -> list[CheckGroup]:
    guess = infer_umask(release.entries)
    if guess is None or not guess.restrictive or guess.share < 0.6:
        return []
    return [CheckGroup("restrictive-umask", "error" if access_failed else "warning",
                       f"built under umask {guess.umask:03o} (it explains the modes of {guess.support} of {guess.total} entries)",
                       (), "set umask 022 in the build (or pack with tar --mode='u+rwX,go+rX')")]


def _execution(release: Release, account: Account, lexicon: Lexicon) -> list[CheckGroup]:
    """Programs without an execute bit: ELF executables (ET_EXEC, or ET_DYN with an interpreter),
    scripts where they are meant to run (bin/, sbin/, libexec/, the package's entry points) and
    the installer's own hooks. Shared libraries, objects and static archives need none; a script
    elsewhere without one is a note. From a listing, names are all there is to go by."""
    names, program_paths = text_pattern(lexicon.executable_names), text_pattern(lexicon.program_paths)
    modules, libraries = text_pattern(lexicon.module_paths), text_pattern(lexicon.library_names)
    root = Account("root", frozenset({"root"}), 0)
    no_x, crlf, idle = [], [], []
    for entry in release.entries:
        if entry.type != "file":
            continue
        peek = release.peeks.get(entry.path)
        if peek is None:
            runnable, script = bool(names.search(entry.path)), False
        elif peek.shebang:
            meant = entry.path in release.entrypoints or (program_paths.search(entry.path) and not modules.search(entry.path))
            runnable, script = bool(meant), not meant
        else:
            runnable, script = peek.runs and not libraries.search(entry.path), False
        if not allowed(entry, account, "r"):
            pass  # unreadable: said once, under unreadable
        elif runnable and not allowed(entry, account, "x"):
            no_x.append(entry)
        elif script and not entry.mode & 0o111:
            idle.append(entry)
        if peek is not None and peek.crlf:
            crlf.append(entry)
    for hook in release.hooks:  # run by the installer, as root
        peek = release.peeks.get(hook.path)
        if not allowed(hook, root, "x"):
            no_x.append(hook)
        if peek is not None and peek.crlf:
            crlf.append(hook)
    out = []
    if no_x:
        how = ("programs (ELF executables), scripts meant to run and install hooks" if release.peeks
               else "files that look like programs (bin/, .sh)")
        out.append(CheckGroup("exec-bit", "error", f"{_count(no_x, 'file', 'files')}: {how} {account.name} cannot execute (no execute bit)",
                              tuple(no_x), "chmod +x them, and keep modes when packing (git update-index --chmod=+x)"))
    if crlf:
        out.append(CheckGroup("crlf", "error", f"{_count(crlf, 'script has', 'scripts have')} CRLF (Windows) line ends: '/bin/sh^M: bad interpreter'",
                              tuple(crlf), "sed -i 's/\\r$//' them; add '*.sh text eol=lf' to .gitattributes"))
    if idle:
        out.append(CheckGroup("script-not-executable", "note",
                              f"{_count(idle, 'script', 'scripts')} without an execute bit outside bin/, sbin/ and libexec/ "
                              "(examples, helpers run through an interpreter: not meant to run by themselves?)",
                              tuple(idle), "chmod +x any that is meant to run directly"))
    return out


def _ownership_and_modes(release: Release, account: Account, lexicon: Lexicon) -> list[CheckGroup]:
    system = text_pattern(lexicon.system_accounts)
    owners: dict[str | None, bool] = {}  # a release has few owners and many entries
    personal: dict[str, list[FileEntry]] = defaultdict(list)
    writable, setid = [], []
    for e in release.entries:
        if e.type == "symlink":
            continue
        if e.owner not in owners:
            owners[e.owner] = is_personal(e.owner, account, system)
        if owners[e.owner]:
            personal[e.owner].append(e)
        if e.type in ("file", "dir") and e.mode & 0o002 and not (e.type == "dir" and e.mode & 0o1000):
            writable.append(e)
        if e.type == "file" and e.mode & 0o6000:
            setid.append(e)
    out = [CheckGroup("personal-owner", "warning", f"{len(items)} entries owned by {owner}, a personal account",
                      tuple(items), f"chown to {account.name} or root when packing (tar --owner=0 --group=0)")
           for owner, items in sorted(personal.items())]
    if writable:
        out.append(CheckGroup("world-writable", "warning", f"{len(writable)} entries anyone may change",
                              tuple(writable), "chmod o-w"))
    if setid:
        out.append(CheckGroup("setuid", "warning", f"{len(setid)} setuid/setgid programs", tuple(setid),
                              "make sure each is meant to run with its owner's or group's rights"))
    return out


def _escaping(release: Release) -> list[CheckGroup]:
    """Archive members whose names climb out of the folder they are unpacked into."""
    bad = [e for e in release.entries if e.path == ".." or e.path.startswith("../")]
    return [CheckGroup("path-escape", "error", f"{_count(bad, 'entry is', 'entries are')} named to land outside the release (../)",
                       tuple(bad), "rebuild the archive from inside the release folder")] if bad else []


def _symlinks(release: Release, snapshot: Snapshot) -> list[CheckGroup]:
    """Symlinks whose target is not in the release (resolved through symlinked folders on the way),
    or lies outside it. A package installed into / (deb, rpm, apk) links to what other packages
    ship: its targets are resolved from / and, when not shipped, are worth a look, not an error."""
    outside, dangling = [], []
    roots = {p.split("/", 1)[0] for p in snapshot.entries}
    for e in release.entries:
        if e.type != "symlink" or not e.link_target:
            continue
        if release.system:
            start = "" if e.link_target.startswith("/") else posixpath.dirname(e.path)
            found = _resolve(posixpath.join(start, e.link_target.lstrip("/")), snapshot, True)
            if found is None or found is OUTSIDE:
                outside.append(e)
            continue
        if e.link_target.startswith("/"):
            outside.append(e)
            continue
        target = posixpath.normpath(posixpath.join(posixpath.dirname(e.path), e.link_target))
        if target.startswith("../") or target == ".." or target.split("/", 1)[0] not in roots:
            outside.append(e)
            continue
        found = _resolve(target, snapshot, False)
        if found is OUTSIDE:
            outside.append(e)
        elif found is None:
            dangling.append(e)
    out = []
    if dangling:
        out.append(CheckGroup("symlink-dangling", "error", f"{len(dangling)} symlinks point nowhere", tuple(dangling),
                              "ship the target or remove the link"))
    if outside:
        where = "to files this package does not ship (other packages must)" if release.system else "outside the release"
        out.append(CheckGroup("symlink-outside", "warning", f"{len(outside)} symlinks point {where}",
                              tuple(outside), "make sure the targets exist on every host"))
    return out


OUTSIDE = FileEntry("", "other", 0)  # _resolve's answer for a chain that leaves the release


def _resolve(path: str, snapshot: Snapshot, rooted: bool, hops: int = 40) -> FileEntry | None:
    """The entry PATH names once symlinks along it are followed (within the release): None when
    it is not there, OUTSIDE when a link on the way points out of the release (an absolute target,
    or above its top) unless the release is ROOTED (installed into /). Folders on the way that
    the release does not ship are taken to exist (a package ships few of the folders it uses)."""
    parts = [p for p in posixpath.normpath(path).split("/") if p not in ("", ".")]
    done = ""
    while parts:
        part = parts.pop(0)
        if part == "..":
            if not done and not rooted:
                return OUTSIDE
            done = posixpath.dirname(done)
            continue
        here = posixpath.join(done, part) if done else part
        found = snapshot.entries.get(here)
        if found is None:
            if not parts:
                return None
            done = here
            continue
        if found.type == "symlink" and found.link_target:
            hops -= 1
            if hops < 0:
                return None
            target = found.link_target
            if target.startswith("/") and not rooted:
                return OUTSIDE
            done = "" if target.startswith("/") else done
            parts = [p for p in target.split("/") if p not in ("", ".")] + parts
            continue
        done = here
    return snapshot.entries.get(done) if done else snapshot.entries.get(".")

