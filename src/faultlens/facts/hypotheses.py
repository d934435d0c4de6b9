"""When a denial is not explained: what could still be behind it, and the command that tells each
hypothesis apart. Never a confidence: a list for the on-call engineer to check, most likely first.
"""

from __future__ import annotations

from faultlens.facts.context import FactContext
from faultlens.model import Event, Hypothesis

MAX_SHOWN = 8


def _candidates(path: str, access: str, op: str | None, partly_known: bool, root: bool) -> list[Hypothesis]:
    out = []
    if partly_known:
        out.append(Hypothesis("dir-not-traversable", "A directory above the path that the snapshot does not show",
                              "the listing does not cover every directory on the way", f"namei -l {path}"))
    out += [
        Hypothesis("mac-policy-denial", "SELinux or AppArmor refused it", "a policy can refuse what the modes allow",
                   "ausearch -m avc -ts recent; getenforce; aa-status; ls -Z " + path),
        Hypothesis("acl-denial", "A POSIX ACL (or its mask) refused it", "an ACL can take away what the mode bits show",
                   f"getfacl -p {path}"),
        Hypothesis("group-not-active", "The running process lacks a group the account has",
                   "a group added after the service or session started is not in its credentials",
                   "id USER; grep Groups /proc/$(pidof PROGRAM)/status"),
        Hypothesis("service-sandbox", "The service manager hides or write-protects the path",
                   "ProtectHome=, ProtectSystem=, ReadOnlyPaths=, PrivateTmp= apply to services, not to a shell",
                   "systemctl show UNIT -p ProtectHome,ProtectSystem,ReadOnlyPaths,InaccessiblePaths,PrivateTmp"),
    ]
    if access == "x":
        out.append(Hypothesis("noexec-mount", "The filesystem is mounted noexec", "a noexec mount refuses every exec",
                              f"findmnt -T {path} -o TARGET,FSTYPE,OPTIONS"))
    if access == "w":
        out.append(Hypothesis("readonly-filesystem", "The filesystem is mounted read-only", "EACCES/EROFS on any write",
                              f"findmnt -T {path} -o TARGET,FSTYPE,OPTIONS"))
        out.append(Hypothesis("immutable-attribute", "The file or directory is immutable or append-only",
                              "chattr +i refuses writes even to root", f"lsattr -d {path}"))
    if op in ("chown", "chmod") or root:
        out.append(Hypothesis("chown-not-permitted", "Root is squashed or lacks the capability here",
                              "NFS root_squash, a user namespace or a missing CAP_CHOWN/CAP_DAC_OVERRIDE",
                              f"findmnt -T {path} -o FSTYPE,OPTIONS; cat /proc/self/uid_map"))
    return out


def _unlisted(event: Event) -> list[Hypothesis]:
    """A denial the snapshot says nothing about: first the modes and owners."""
    path = event.object or "PATH"
    return [Hypothesis("umask-restrictive-package", "Files or directories on the way are private to their owner",
                       "no snapshot of the path was given", f"namei -l {path}; id USER"),
            Hypothesis("wrong-owner", "The path is owned by another account",
                       "a sudo unpack or another builder's uid", f"ls -ln {path}; id USER")]


def _ruled_out(ctx: FactContext, h: Hypothesis, path: str) -> bool:
    """The snapshot already answers it: the mount, the ACL, the attributes, the MAC state, the
    process's groups or the unit shown do not refuse."""
    snap = ctx.snapshot
    if h.id in ("noexec-mount", "readonly-filesystem", "chown-not-permitted") and path.startswith("/"):
        mount = snap.mount_of(path)
        if mount is not None:
            return {"noexec-mount": not mount.has("noexec"), "readonly-filesystem": not mount.has("ro"),
                    "chown-not-permitted": not mount.fstype.startswith(("nfs", "cifs", "smb", "vfat", "exfat", "fuse"))}[h.id]
    if h.id == "acl-denial":
        entry = snap.get(path)
        return snap.acl_of(path) is not None or (entry is not None and entry.mode_known and not entry.acl and bool(snap.acls))
    if h.id == "immutable-attribute":
        attrs = snap.attributes_of(path)
        return attrs is not None and not (attrs.immutable or attrs.append_only)
    if h.id == "mac-policy-denial":
        mode = snap.mac_mode()
        return mode is not None and mode[1] in ("disabled", "permissive")
    if h.id == "group-not-active":
        held = snap.process_groups()
        if held is not None:
            return all(str(g) in held for i in snap.identities for g in i.group_ids if g != i.gid)
        entry = snap.get(path)  # the session's own groups (`groups`, `id`) hold the path's group
        return entry is not None and bool(entry.group) and any(
            entry.group in v.groups for v in snap.group_views if v.whose == "session")
    if h.id == "service-sandbox":
        unit = snap.unit_settings()
        return unit is not None and not any(unit.settings.get(k, "no").lower() not in ("no", "false", "")
                                            for k in ("ProtectHome", "ProtectSystem", "ReadOnlyPaths", "InaccessiblePaths", "PrivateTmp"))
    return False


def hypotheses(ctx: FactContext, events: tuple[Event, ...]) -> list[Hypothesis]:
    """The hypotheses still open for the denials the evidence does not settle (those the snapshot
    already answers are left out)."""
    out: dict[str, Hypothesis] = {}
    for d in ctx.denied:
        if d.diagnosis not in ("allowed-by-modes", "partly-known"):
            continue
        for h in _candidates(d.path, d.access, d.op, d.diagnosis == "partly-known", ctx.account.is_root):
            if not _ruled_out(ctx, h, d.path):
                out.setdefault(h.id, h)
    if not ctx.denied:
        for event in events:
            if event.errno in ("EACCES", "EPERM") and event.op != "auth":
                for h in _unlisted(event) + _candidates(event.object or "PATH", "r", event.op, False, False):
                    out.setdefault(h.id, h)
                break
    return list(out.values())[:MAX_SHOWN]
