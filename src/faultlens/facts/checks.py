"""The fact checks: each looks at a FactContext and returns the facts that hold, with proof."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Callable

from faultlens.facts.baseline import summaries
from faultlens.facts.context import FactContext
from faultlens.facts.permissions import allowed
from faultlens.facts.trees import Tree
from faultlens.model import Evidence, Fact, FileEntry
from faultlens.parse.modes import format_mode

SHOWN = 3  # entries quoted as evidence per fact


def _cite(entries: list[FileEntry], name: str) -> tuple[Evidence, ...]:
    return tuple(Evidence(e.at.source, e.at.line, e.raw, name) for e in entries[:SHOWN] if e.at)


def _who(ctx: FactContext) -> str:
    return f"the service account {ctx.account.name}" if ctx.account_known else "any user other than the owner"


def _mode_summary(entries: list[FileEntry]) -> str:
    modes = Counter(format_mode(e.mode) for e in entries if e.type in ("file", "dir"))
    return "/".join(sorted(modes, key=lambda m: (-modes[m], m))[:2])


def _files_first(entries: list[FileEntry]) -> list[FileEntry]:
    """Evidence reads best with the files first, the deepest directories after."""
    return sorted(entries, key=lambda e: (e.type != "file", e.at.line if e.at else 0))


def restrictive_umask_tree(ctx: FactContext) -> list[Fact]:
    found = []
    for tree in ctx.trees.values():
        guess = tree.umask
        if guess is None or not guess.restrictive or guess.share < 0.6 or tree.size < 2:
            continue
        unread = tree.unreadable(ctx.account)
        if len(unread) < tree.size / 2:
            continue
        found.append((tree, unread))
    if not found:
        return []
    # the whole release, not one of its subfolders: the biggest tree, then the shallowest
    tree, unread = max(found, key=lambda tu: (tu[0].size, -tu[0].root.count("/")))
    guess = tree.umask
    owner = f"owned by {tree.owner}" if tree.owner else ""
    summary = (f"{len(unread)} of {tree.size} entries in {tree.root} are mode {_mode_summary(unread)} {owner}"
               f" (umask {guess.umask:03o} explains {guess.support} of {guess.total}); {_who(ctx)} cannot read them")
    sample = next((e for e in unread if e.type == "file"), unread[0])
    steps = (f"namei -l {sample.path}", f"find {tree.root} ! -perm -o+r | head",
             f"chmod -R go+rX {tree.root}   # after confirming")
    strength = guess.share * len(unread) / tree.size
    return [Fact("restrictive-umask-tree", strength, summary, _cite(_files_first(unread), "restrictive-umask-tree"), steps)]


def release_differs_from_siblings(ctx: FactContext) -> list[Fact]:
    out = []
    for o in ctx.outliers:
        parts = []
        if "owner" in o.differs_in:
            parts.append(f"owner {o.tree.owner} instead of {o.reference.owner}")
        if "mode" in o.differs_in:
            a, b = o.tree.umask, o.reference.umask
            parts.append(f"mode pattern of umask {a.umask:03o} instead of {b.umask:03o}" if a and b else "mode pattern")
        summary = (f"{posixpath.basename(o.tree.root)} differs from its sibling {posixpath.basename(o.reference.root)}: "
                   + ", ".join(parts))
        evidence = _cite([e for e in o.tree.members if e.path == o.tree.root] or list(o.tree.members), "release-differs")
        evidence += _cite([e for e in o.reference.members if e.path == o.reference.root], "release-differs")
        out.append(Fact("release-differs-from-siblings", 1.0, summary, evidence))
    return out


def personal_account_owner(ctx: FactContext) -> list[Fact]:
    out = []
    for tree in _suspect_trees(ctx):
        if ctx.is_personal(tree.owner) and tree.owner_share >= 0.8:
            unread = tree.unreadable(ctx.account)
            summary = (f"{tree.root} is owned by {tree.owner}, a personal account, not by {_who(ctx)}"
                       + (f"; {len(unread)} of {tree.size} entries are unreadable for it" if unread else ""))
            out.append(Fact("personal-account-owner", 1.0 if unread else 0.5, summary,
                            _cite(_files_first(unread or list(tree.members)), "personal-account-owner")))
    return out


def _suspect_trees(ctx: FactContext) -> list[Tree]:
    """Outlier releases, or failing those the biggest tree the account cannot read."""
    if ctx.outliers:
        return [o.tree for o in ctx.outliers]
    unreadable = [t for t in ctx.trees.values() if t.size >= 2 and len(t.unreadable(ctx.account)) > t.size / 2]
    return [max(unreadable, key=lambda t: t.size)] if unreadable else []


def tree_owner_differs(ctx: FactContext) -> list[Fact]:
    out = []
    for o in ctx.outliers:
        if o.differs_in != ("owner",):
            continue
        unread = o.tree.unreadable(ctx.account)
        summary = (f"{o.tree.root} is owned by {o.tree.owner}; its siblings by {o.reference.owner}"
                   + (f"; {len(unread)} of {o.tree.size} entries are unreadable for {ctx.account.name}" if unread else ""))
        out.append(Fact("tree-owner-differs", 1.0 if unread else 0.5, summary,
                        _cite(_files_first(unread or list(o.tree.members)), "tree-owner-differs")))
    return out


def dir_blocks_traversal(ctx: FactContext) -> list[Fact]:
    blocking = []
    for path, entry in ctx.snapshot.entries.items():
        if entry.type != "dir" or allowed(entry, ctx.account, "x"):
            continue
        below = [e for e in ctx.trees[path].members if e is not entry] if path in ctx.trees else []
        fine = [e for e in below if e.type == "file" and allowed(e, ctx.account, "r")]
        if fine and len(fine) >= len([e for e in below if e.type == "file"]) / 2:
            blocking.append((entry, fine))
    if not blocking:
        return []
    entry, fine = min(blocking, key=lambda ef: ef[0].path.count("/"))
    summary = (f"directory {entry.path} is mode {format_mode(entry.mode)} owned by {entry.owner}: {_who(ctx)} cannot "
               f"enter it, so {len(fine)} files below it are unreachable although their own modes allow reading")
    steps = (f"namei -l {fine[0].path}", f"chmod o+x {entry.path}   # or a+X, after confirming")
    return [Fact("dir-blocks-traversal", 1.0, summary, _cite([entry] + fine, "dir-blocks-traversal"), steps)]


def exec_bit_missing(ctx: FactContext) -> list[Fact]:
    executable_elsewhere = _executable_in_siblings(ctx)
    strong, named = [], []
    for entry in ctx.snapshot.entries.values():
        if entry.type != "file" or allowed(entry, ctx.account, "x") or not allowed(entry, ctx.account, "r"):
            continue
        if _relative(ctx, entry.path) in executable_elsewhere:
            strong.append(entry)
        elif ctx.executable_names.search(entry.path):
            named.append(entry)
    hits = strong or named
    if not hits:
        return []
    how = "is executable in the sibling releases" if strong else "looks like a program or script"
    summary = (f"{len(hits)} file(s) lack the execute bit for {_who(ctx)} although each {how}: "
               + ", ".join(f"{e.path} ({format_mode(e.mode)})" for e in hits[:SHOWN]))
    steps = (f"ls -l {hits[0].path}", f"chmod +x {hits[0].path}   # after confirming")
    return [Fact("exec-bit-missing", 1.0 if strong else 0.8, summary, _cite(hits, "exec-bit-missing"), steps)]


def _executable_in_siblings(ctx: FactContext) -> set[str]:
    out = set()
    for group in ctx.sets:
        for tree in group:
            for e in tree.members:
                if e.type == "file" and e.mode & 0o111:
                    out.add(posixpath.relpath(e.path, tree.root))
    return out


def _relative(ctx: FactContext, path: str) -> str:
    for group in ctx.sets:
        for tree in group:
            if path.startswith(tree.root + "/"):
                return posixpath.relpath(path, tree.root)
    return path


def world_writable(ctx: FactContext) -> list[Fact]:
    hits = [e for e in ctx.snapshot.entries.values()
            if e.type in ("file", "dir") and e.mode & 0o002 and not (e.type == "dir" and e.mode & 0o1000)]
    if not hits:
        return []
    summary = f"{len(hits)} entries are writable by everyone: " + ", ".join(
        f"{e.path} ({format_mode(e.mode)})" for e in hits[:SHOWN])
    return [Fact("world-writable", 1.0, summary, _cite(hits, "world-writable"), (f"chmod o-w {hits[0].path}",))]


def private_key_too_open(ctx: FactContext) -> list[Fact]:
    hits = [e for e in ctx.snapshot.entries.values()
            if e.type == "file" and e.mode & 0o077 and ctx.private_key_names.search(posixpath.basename(e.path))]
    if not hits:
        return []
    summary = "private key files readable by others: " + ", ".join(f"{e.path} ({format_mode(e.mode)})" for e in hits[:SHOWN])
    return [Fact("private-key-too-open", 1.0, summary, _cite(hits, "private-key-too-open"), (f"chmod 600 {hits[0].path}",))]


# files OpenSSH refuses when group or others may write them: the client's config ("Bad owner or
# permissions on ~/.ssh/config"), and with sshd's StrictModes the ~/.ssh directory and authorized_keys
_SSH_STRICT_FILES = re.compile(r"(?:^|/)\.ssh/(?:config|authorized_keys2?)$|^/etc/ssh/ssh_config(?:\.d/[^/]+)?$")


def ssh_file_writable(ctx: FactContext) -> list[Fact]:
    hits = [e for e in ctx.snapshot.entries.values()
            if e.mode & 0o022 and ((e.type == "file" and _SSH_STRICT_FILES.search(e.path))
                                   or (e.type == "dir" and e.path.endswith("/.ssh")))]
    if not hits:
        return []
    summary = "ssh files writable by group or others, which OpenSSH refuses: " + ", ".join(
        f"{e.path} ({format_mode(e.mode)})" for e in hits[:SHOWN])
    return [Fact("ssh-file-writable", 1.0, summary, _cite(hits, "ssh-file-writable"), (f"chmod go-w {hits[0].path}",))]


def host_umask_restrictive(ctx: FactContext) -> list[Fact]:
    out = []
    for setting in ctx.snapshot.umasks:
        if setting.value & 0o004:
            at = setting.at
            out.append(Fact("host-umask-restrictive", 1.0, f"umask on the host is {setting.value:04o}: "
                            "files created there are not readable by other users",
                            (Evidence(at.source, at.line, f"{setting.value:04o}", "host-umask"),) if at else ()))
    return out


def filesystem_full(ctx: FactContext) -> list[Fact]:
    out = []
    for disk in ctx.snapshot.disks:
        if disk.used_percent is not None and disk.used_percent >= 98:
            what = "inodes" if disk.inodes else "space"
            out.append(Fact("filesystem-full", 1.0, f"{disk.mount} ({disk.filesystem}) has {disk.used_percent}% of its {what} used",
                            (Evidence(disk.source, disk.line, f"{disk.filesystem} {disk.used_percent}% {disk.mount}", "df"),)))
    return out


def denied_path(diagnosis: str) -> Callable[[FactContext], list[Fact]]:
    """Facts about paths a log line was denied, by what the snapshot says stopped the access."""
    texts = {
        "restrictive-mode": "{path}: its mode {mode} (owner {owner}) gives {who} no {want} access",
        "not-traversable": "{path}: the directory {blocker} ({bmode}, owner {bowner}) above it cannot be entered by {who}",
        "not-executable": "{path}: mode {mode} has no execute bit for {who}",
        "wrong-owner": "{path}: owned by {owner}:{group} (mode {mode}); {who} cannot {want} it",
        "allowed-by-modes": "{path}: the modes allow {who} to {want} it, yet access was denied",
        "partly-known": "{path}: the modes the snapshot shows allow {who} to {want} it, but it does not show {unknown}",
        "group-decides": "{path}: owned by {owner}:{group} (mode {mode}): its group may {want} it; whether the account is in {group} decides",
    }
    wants = {"r": "read", "w": "write", "x": "execute", "s": "look up"}

    def check(ctx: FactContext) -> list[Fact]:
        out = []
        for d in ctx.denied:
            if d.diagnosis != diagnosis:
                continue
            blocker = d.reach.blocker or d.entry
            summary = texts[diagnosis].format(
                path=d.path, mode=format_mode(d.entry.mode), owner=d.entry.owner, group=d.entry.group,
                who=_who(ctx), want=wants[d.access], blocker=blocker.path, bmode=format_mode(blocker.mode),
                bowner=blocker.owner, unknown=", ".join(d.unknown[:3]) + (" ..." if len(d.unknown) > 3 else ""))
            if d.creating:
                summary += f" (it did not exist: {d.op or 'creating'} it needs write access to {d.entry.path})"
            evidence = (Evidence(d.hit.source, d.hit.line, d.hit.text, f"denied-path-{diagnosis}"),)
            evidence += _cite([blocker] if blocker is not d.entry else [d.entry], f"denied-path-{diagnosis}")
            out.append(Fact(f"denied-path-{diagnosis}", 1.0, summary, evidence, (f"namei -l {d.path}",)))
        return out

    return check


def _baseline_fact(name: str, ctx: FactContext, picked: list) -> list[Fact]:
    """One fact per kind of change, summarized like "412 files changed from 0644 tester to 0600
    jdoe since the passing run", with the entries before and after as evidence."""
    if not picked:
        return []
    text, items = summaries(picked)[0]
    more = len(picked) - len(items)
    summary = text + (f" (and {more} more changes of this kind)" if more else "")
    shown = [c.after for c in items if c.after][:SHOWN] + [c.before for c in items if c.before][:1]
    return [Fact(name, 1.0, summary, _cite(shown, name), (f"namei -l {items[0].entry.path}",))]


def baseline_became_unreadable(ctx: FactContext) -> list[Fact]:
    """Readable in the passing run, not now, with its modes (not its owner alone) to blame."""
    picked = [c for c in ctx.changes if c.kind == "changed" and c.before.mode != c.after.mode
              and _usable(c.before, ctx) and not _usable(c.after, ctx)]
    return _baseline_fact("baseline-became-unreadable", ctx, picked)


def baseline_owner_changed(ctx: FactContext) -> list[Fact]:
    picked = [c for c in ctx.changes if c.kind == "changed" and c.before.mode == c.after.mode
              and (c.before.owner, c.before.group) != (c.after.owner, c.after.group)
              and (not _usable(c.after, ctx) or (allowed(c.before, ctx.account, "w") and not allowed(c.after, ctx.account, "w")))]
    return _baseline_fact("baseline-owner-changed", ctx, picked)


def baseline_lost_exec_bit(ctx: FactContext) -> list[Fact]:
    picked = [c for c in ctx.changes if c.kind == "changed" and c.after.type == "file"
              and allowed(c.before, ctx.account, "x") and not allowed(c.after, ctx.account, "x")
              and allowed(c.after, ctx.account, "r")]
    return _baseline_fact("baseline-lost-exec-bit", ctx, picked)


def baseline_files_missing(ctx: FactContext) -> list[Fact]:
    picked = [c for c in ctx.changes if c.kind == "missing" and c.before.type == "file"]
    return _baseline_fact("baseline-files-missing", ctx, picked)


def _usable(e: FileEntry, ctx: FactContext) -> bool:
    if e.type == "dir":
        return allowed(e, ctx.account, "r") and allowed(e, ctx.account, "x")
    return e.type != "file" or allowed(e, ctx.account, "r")


def symlink_to_ancestor(ctx: FactContext) -> list[Fact]:
    """A listed symlink that points at its own directory or one above it (`src -> ..`, `src ->
    /opt/app/src/` inside /opt/app/src): whatever follows links through it (find -L, a recursive
    copy, chown -R -L, a file watcher, a path walk) descends into itself without end."""
    loops = []
    for entry in ctx.snapshot.entries.values():
        if entry.type != "symlink" or not entry.link_target or not entry.path.startswith("/"):
            continue
        home = posixpath.dirname(entry.path.rstrip("/"))
        target = posixpath.normpath(posixpath.join(home, entry.link_target))
        if home == target or home.startswith(target.rstrip("/") + "/"):
            loops.append(entry)
    if not loops:
        return []
    first = loops[0]
    summary = (f"{first.path} points to {first.link_target}, a directory it sits in: following links "
               "through it never ends" + (f" (and {len(loops) - 1} more such links)" if len(loops) > 1 else ""))
    return [Fact("symlink-to-ancestor", 1.0, summary, _cite(loops, "symlink-to-ancestor"),
                 (f"ls -l {first.path}", f"readlink -f {first.path}", "find -L DIR -maxdepth 20 -mindepth 15 | head"))]
