"""Facts about the host that decide access beyond the mode bits: mounts (noexec, ro, network
filesystems), ACLs, file attributes, the running process's groups, service sandboxing, MAC state,
free space and kernel limits. Each looks at the failure events and the snapshot's host records
(facts/snapshot.py queries) and returns the facts that hold, with the lines that prove them.
"""

from __future__ import annotations

import posixpath

from faultlens.facts.context import FactContext
from faultlens.model import Evidence, Event, Fact

_WRITE_OPS = frozenset({"create", "mkdir", "rename", "lock", "unlink", "write", "chown", "chmod"})
_NETWORK_FS = ("nfs", "nfs4", "cifs", "smb3", "smbfs", "vfat", "msdos", "exfat", "ntfs", "fuse.sshfs", "9p")
_WANT = {"r": "r", "w": "w", "x": "x", "s": "x"}
FULL_AT = 95  # percent: a filesystem this full (space or inodes) is full for these facts


def _at(record, name: str) -> tuple[Evidence, ...]:
    at = getattr(record, "at", None)
    return (Evidence(at.source, at.line, getattr(record, "raw", "") or _describe(record), name),) if at else ()


def _describe(record) -> str:
    if hasattr(record, "options"):
        return f"{record.source} on {record.target} type {record.fstype} ({','.join(record.options)})"
    if hasattr(record, "flags"):
        return f"{record.flags or '-'} {record.path}"
    return str(getattr(record, "path", "") or getattr(record, "name", ""))


def _event_evidence(event: Event, name: str) -> Evidence:
    return Evidence(event.source, event.line, event.text, name)


def _absolute(path: str | None) -> str | None:
    return posixpath.normpath(path) if path and path.startswith("/") else None


def _failed(ctx: FactContext, errnos: tuple[str, ...], ops: frozenset[str] | None = None) -> list[tuple[Event, str]]:
    """(event, absolute path) of the failure events with one of errnos (and one of ops)."""
    out = []
    for e in ctx.events:
        path = _absolute(e.object)
        if path and e.errno in errnos and (ops is None or e.op in ops):
            out.append((e, path))
    return out


def exec_on_noexec_mount(ctx: FactContext) -> list[Fact]:
    out = []
    candidates = [(e, p) for e, p in _failed(ctx, ("EACCES", "EPERM"), frozenset({"exec"}))]
    candidates += [(None, d.path) for d in ctx.denied if d.access == "x" and d.path.startswith("/")]
    for event, path in candidates:
        mount = ctx.snapshot.mount_of(path)
        if mount is None or not mount.has("noexec"):
            continue
        entry = ctx.snapshot.get(path)
        has_x = entry is not None and entry.mode_known and bool(entry.mode & 0o111)
        summary = (f"{path} is on {mount.target}, mounted noexec: nothing on it may be run"
                   + (", although the file has its execute bit" if has_x else ""))
        evidence = ((_event_evidence(event, "noexec-mount"),) if event else ()) + _at(mount, "noexec-mount")
        out.append(Fact("exec-on-noexec-mount", 1.0 if has_x or event else 0.8, summary, evidence,
                        (f"findmnt -T {path} -o TARGET,FSTYPE,OPTIONS",)))
    return out


def write_on_readonly_mount(ctx: FactContext) -> list[Fact]:
    out = []
    for event, path in _failed(ctx, ("EROFS", "EACCES", "EPERM")):
        if event.errno != "EROFS" and event.op not in _WRITE_OPS:
            continue
        mount = ctx.snapshot.mount_of(path)
        if mount is not None and mount.has("ro"):
            out.append(Fact("write-on-readonly-mount", 1.0, f"{path} is on {mount.target}, mounted read-only",
                            (_event_evidence(event, "read-only-mount"),) + _at(mount, "read-only-mount"),
                            (f"findmnt -T {path} -o TARGET,FSTYPE,OPTIONS",)))
    return out


def chown_on_network_filesystem(ctx: FactContext) -> list[Fact]:
    out = []
    for event, path in _failed(ctx, ("EPERM", "EACCES", "EINVAL"), frozenset({"chown", "chmod"})):
        mount = ctx.snapshot.mount_of(path)
        if mount is None:
            continue
        squash = any(o in ("root_squash", "all_squash") for o in mount.options)
        if mount.fstype.startswith(_NETWORK_FS) or squash:
            what = "root_squash" if squash else mount.fstype
            out.append(Fact("chown-on-network-filesystem", 1.0,
                            f"{path} is on {mount.target} ({what}): ownership cannot be changed there as root",
                            (_event_evidence(event, "network-filesystem"),) + _at(mount, "network-filesystem"),
                            (f"findmnt -T {path} -o TARGET,FSTYPE,OPTIONS",)))
    return out


def _acl_refusal(acl, account_name: str | None, groups, want: str) -> str | None:
    """What in an ACL refuses `want` to the account (or, account unknown, to named entries)."""
    named = [(tag, who, perms) for tag, who, perms in acl.entries
             if tag in ("user", "group") and who and (account_name is None or (tag == "user" and who == account_name)
                                                        or (tag == "group" and who in groups))]
    effective = {(tag, who): perms for tag, who, perms in acl.effective}
    refusing = [(tag, who, perms) for tag, who, perms in named if want not in effective.get((tag, who), perms)]
    if refusing:
        return ", ".join(f"{tag}:{who}:{perms}" for tag, who, perms in refusing)
    if named and acl.mask is not None and want not in acl.mask:
        return f"the mask {acl.mask}"
    default_only = [(tag, who) for tag, who, _ in acl.default if tag in ("user", "group") and who
                    and (account_name is None or who == account_name or who in groups)
                    and not any(t == tag and w == who for t, w, _ in acl.entries)]
    if default_only:
        tag, who = default_only[0]
        return f"default:{tag}:{who} only (a default entry grants nothing on the directory itself)"
    return None


def acl_restricts_path(ctx: FactContext) -> list[Fact]:
    out: list[Fact] = []
    seen: set[str] = set()
    for event, path in _failed(ctx, ("EACCES", "EPERM")):
        acl = ctx.snapshot.acl_of(path) or ctx.snapshot.acl_of(posixpath.dirname(path))
        if acl is None or path in seen:
            continue
        want = _WANT.get({"exec": "x", "chdir": "x", "stat": "x"}.get(event.op or "", "w" if event.op in _WRITE_OPS else "r"), "r")
        name = ctx.account.name if ctx.account_known else None
        culprit = _acl_refusal(acl, name, ctx.account.groups, want)
        if culprit is not None:
            seen.add(path)
            out.append(Fact("acl-restricts-path", 1.0 if name else 0.8,
                            f"{path}: its ACL ({culprit}) refuses {want} access the mode bits seem to give",
                            (_event_evidence(event, "acl"),) + _at(acl, "acl"), (f"getfacl -p {acl.path}",)))
    name = ctx.account.name if ctx.account_known else None
    for acl in ctx.snapshot.acls.values():  # getfacl's own word: the mask takes read from a named entry
        cut = [(tag, who, perms) for tag, who, perms in acl.effective
               if tag in ("user", "group") and who and "r" not in perms and (name is None or who == name or who in ctx.account.groups)]
        if cut and acl.path not in seen:
            seen.add(acl.path)
            tag, who, perms = cut[0]
            out.append(Fact("acl-restricts-path", 0.6,
                            f"{acl.path}: the ACL mask ({acl.mask}) leaves {tag}:{who} with {perms} (#effective)",
                            _at(acl, "acl"), (f"getfacl -p {acl.path}",)))
    for d in ctx.denied:
        if d.path in seen:
            continue
        acl = ctx.snapshot.acl_of(d.path) or ctx.snapshot.acl_of(d.entry.path)
        want = _WANT[d.access]
        if acl is not None:
            named = [(tag, who, perms) for tag, who, perms in acl.entries
                     if (tag == "user" and who == ctx.account.name) or (tag == "group" and who in ctx.account.groups)]
            effective = {(tag, who): perms for tag, who, perms in acl.effective}
            refusing = [(tag, who, perms) for tag, who, perms in named if want not in effective.get((tag, who), perms)]
            masked = acl.mask is not None and want not in acl.mask
            if refusing or (named and masked):
                culprit = "the mask " + acl.mask if masked and not refusing else \
                    ", ".join(f"{tag}:{who}:{perms}" for tag, who, perms in refusing)
                out.append(Fact("acl-restricts-path", 1.0,
                                f"{d.path}: its ACL ({culprit}) gives {ctx.account.name} no {want} access although the mode bits seem to",
                                (Evidence(d.hit.source, d.hit.line, d.hit.text, "acl"),) + _at(acl, "acl"),
                                (f"getfacl -p {d.path}",)))
                continue
        if d.entry.acl:
            out.append(Fact("acl-restricts-path", 0.5, f"{d.path} carries an ACL (+ after its mode): the modes are not the whole story",
                            (Evidence(d.hit.source, d.hit.line, d.hit.text, "acl"),) + _at(d.entry, "acl"),
                            (f"getfacl -p {d.path}",)))
    return out


def path_immutable(ctx: FactContext) -> list[Fact]:
    out = []
    for event, path in _failed(ctx, ("EPERM", "EACCES")):
        if event.op not in _WRITE_OPS and event.op is not None:
            continue
        for candidate in (path, posixpath.dirname(path)):
            attrs = ctx.snapshot.attributes_of(candidate)
            if attrs is not None and (attrs.immutable or attrs.append_only):
                kind = "immutable" if attrs.immutable else "append-only"
                out.append(Fact("path-immutable", 1.0, f"{candidate} is {kind} (lsattr: {attrs.flags}): even root may not change it",
                                (_event_evidence(event, "immutable"),) + _at(attrs, "immutable"),
                                (f"lsattr -d {candidate}", f"chattr -i {candidate}   # after confirming why it was set")))
                break
    return out


def group_missing_in_process(ctx: FactContext) -> list[Fact]:
    held = ctx.snapshot.process_groups()
    if held is None:
        return []
    out = []
    for ident in ctx.snapshot.identities:
        missing = [(name, gid) for name, gid in zip(ident.groups, ident.group_ids) if str(gid) not in held and gid != ident.gid]
        if not missing:
            continue
        names = {n for n, _ in missing}
        related = [d for d in ctx.denied if d.entry.group in names] + \
                  [d for d in ctx.denied if d.entry.group not in names and d.diagnosis in ("allowed-by-modes", "partly-known")]
        process = ctx.snapshot.processes[0]
        summary = (f"id {ident.user} lists {', '.join(f'{n} ({g})' for n, g in missing)}, but the running process"
                   f"{' ' + process.name if process.name else ''} holds groups {' '.join(held) or '(none)'}: "
                   "it started before the group was added")
        evidence = _at(ident, "group-not-active") + _at(process, "group-not-active")
        if related:
            evidence = (Evidence(related[0].hit.source, related[0].hit.line, related[0].hit.text, "group-not-active"),) + evidence
        out.append(Fact("group-missing-in-process", 1.0 if related else 0.6, summary, evidence,
                        ("restart the service (or log in again) so it picks up its groups; newgrp in a shell",)))
    return out


def _denied_groups(ctx: FactContext) -> dict[str, Evidence]:
    """The groups owning the paths access was denied to (the snapshot's entry for the path or, for
    a create, its directory), each with the log line that was denied."""
    out: dict[str, Evidence] = {}
    for d in ctx.denied:
        if d.entry.group:
            out.setdefault(d.entry.group, Evidence(d.hit.source, d.hit.line, d.hit.text, "group-not-active"))
    for event, path in _failed(ctx, ("EACCES", "EPERM")):
        entry = ctx.snapshot.get(path) or ctx.snapshot.get(posixpath.dirname(path))
        if entry is not None and entry.group:
            out.setdefault(entry.group, _event_evidence(event, "group-not-active"))
    return out


def _same_user(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def group_not_in_session(ctx: FactContext) -> list[Fact]:
    """`groups USER`, `id USER` or `getent group NAME` (/etc/group) put the account in a group the
    session's own `groups` or `id` does not hold: it logged in before it was added."""
    views = ctx.snapshot.group_views
    sessions = [v for v in views if v.whose == "session"]
    accounts = [v for v in views if v.whose == "account"]
    denied = _denied_groups(ctx)
    out = []
    for session in sessions:
        held = set(session.groups)
        for account in accounts:
            user = account.user if account.user is not None else session.user
            if not _same_user(user, session.user):
                continue
            missing = [g for g in account.groups if g not in held and g != user]
            if not missing:
                continue
            related = [g for g in missing if g in denied]
            shown = related or missing
            summary = (f"{user or 'the account'} is in {', '.join(shown)} per /etc/group ({account.raw}), but the "
                       f"session's groups ({session.raw}) do not hold {'it' if len(shown) == 1 else 'them'}: "
                       "it started before the account was added")
            evidence = ((denied[related[0]],) if related else ()) + _at(account, "group-not-active") + _at(session, "group-not-active")
            out.append(Fact("group-not-in-session", 1.0 if related else 0.6, summary, evidence,
                            ("log in again (or reboot, or newgrp GROUP in that shell); restart a service started before usermod -aG",)))
    return out


def session_holds_path_group(ctx: FactContext) -> list[Fact]:
    """Counter-evidence: the session's own groups (`groups`, `id`) hold the group that owns the
    denied path, so its credentials are not what is missing."""
    denied = _denied_groups(ctx)
    out = []
    for session in (v for v in ctx.snapshot.group_views if v.whose == "session"):
        held = [g for g in session.groups if g in denied]
        if held:
            out.append(Fact("session-holds-path-group", 1.0,
                            f"the session already holds {held[0]}, the group of the denied path ({session.raw})",
                            (denied[held[0]],) + _at(session, "session-holds-group")))
    return out


_HOME = ("/home", "/root", "/run/user")
_SYSTEM = ("/usr", "/boot", "/efi")


def _covered(path: str, value: str) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in value.replace("-", "").split() if p.startswith("/"))


def unit_sandbox_covers_path(ctx: FactContext) -> list[Fact]:
    unit = ctx.snapshot.unit_settings()
    if unit is None:
        return []
    s = {k: v for k, v in unit.settings.items()}
    out = []
    for event, path in _failed(ctx, ("EACCES", "EPERM", "EROFS", "ENOENT")):
        writing = event.errno == "EROFS" or event.op in _WRITE_OPS
        why = None
        home = s.get("ProtectHome", "no").lower()
        system = s.get("ProtectSystem", "no").lower()
        if home in ("yes", "true", "tmpfs", "read-only") and path.startswith(_HOME) and (writing or home != "read-only"):
            why = f"ProtectHome={s['ProtectHome']}"
        elif system == "strict" and writing and not _covered(path, s.get("ReadWritePaths", "")):
            why = "ProtectSystem=strict"
        elif system in ("yes", "true", "full") and writing and (path.startswith(_SYSTEM) or (system == "full" and path.startswith("/etc"))):
            why = f"ProtectSystem={s['ProtectSystem']}"
        elif writing and _covered(path, s.get("ReadOnlyPaths", "") + " " + s.get("ReadOnlyDirectories", "")):
            why = "ReadOnlyPaths="
        elif _covered(path, s.get("InaccessiblePaths", "") + " " + s.get("InaccessibleDirectories", "")):
            why = "InaccessiblePaths="
        elif s.get("PrivateTmp", "no").lower() in ("yes", "true") and path.startswith(("/tmp/", "/var/tmp/")):
            why = "PrivateTmp=yes (the service sees its own /tmp)"
        if why:
            out.append(Fact("unit-sandbox-covers-path", 1.0,
                            f"{path}: the unit {unit.unit or ''} runs with {why}, which hides or write-protects it from the service",
                            (_event_evidence(event, "service-sandbox"),) + _at(unit, "service-sandbox"),
                            (f"systemctl show {unit.unit or 'UNIT'} -p ProtectHome,ProtectSystem,ReadOnlyPaths,ReadWritePaths,PrivateTmp",)))
    return out


def mac_enforcing(ctx: FactContext) -> list[Fact]:
    mode = ctx.snapshot.mac_mode()
    if mode is None or mode[1] != "enforcing":
        return []
    state = next(m for m in ctx.snapshot.mac if m.mode == "enforcing")
    return [Fact("mac-enforcing", 1.0, f"{mode[0]} is enforcing", _at(state, "mac-enforcing"),
                 ("ausearch -m avc -ts recent" if mode[0] == "selinux" else "journalctl -k | grep -i apparmor",))]


def disk_has_room(ctx: FactContext) -> list[Fact]:
    """Counter-evidence: the filesystem a write failed on (or, without a path, every one shown) has
    space and inodes left."""
    rows = [d for d in ctx.snapshot.disks]
    if not rows:
        return []
    paths = [p for _, p in _failed(ctx, ("ENOSPC", "EDQUOT"))]
    shown = [r for p in paths for r in (ctx.snapshot.disk_of(p), ctx.snapshot.inode_usage(p)) if r is not None] if paths else rows
    if not shown or any(r.used_percent is None or r.used_percent >= FULL_AT for r in shown):
        return []
    where = ", ".join(sorted({r.mount for r in shown}))
    return [Fact("disk-has-room", 1.0, f"df shows room on {where} ({max(r.used_percent for r in shown)}% at most used)",
                 tuple(Evidence(r.source, r.line, f"{r.filesystem} {r.used_percent}% {r.mount}", "disk-has-room") for r in shown[:3]))]


def inotify_watches_low(ctx: FactContext) -> list[Fact]:
    value = ctx.snapshot.kernel_setting("fs.inotify.max_user_watches")
    if value is None or not value.strip().isdigit() or int(value) > 65536:
        return []
    setting = ctx.snapshot.kernel["fs.inotify.max_user_watches"]
    return [Fact("inotify-watches-low", 1.0, f"fs.inotify.max_user_watches is {value}: a big tree of files to watch exhausts it",
                 _at(setting, "inotify-limit"), ("sysctl fs.inotify.max_user_watches=524288   # and persist it in /etc/sysctl.d",))]
