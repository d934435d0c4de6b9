"""What the evidence means: named facts about the snapshot and the paths the logs were denied.

Facts are listed in one registry (FACTS); causes in the knowledge base refer to them by name.
"""

from __future__ import annotations

from collections.abc import Callable

from faultlens.facts.context import FactContext, build_context
from faultlens.facts import checks, host
from faultlens.model import Fact

FACTS: dict[str, Callable[[FactContext], list[Fact]]] = {
    "restrictive-umask-tree": checks.restrictive_umask_tree,
    "release-differs-from-siblings": checks.release_differs_from_siblings,
    "personal-account-owner": checks.personal_account_owner,
    "tree-owner-differs": checks.tree_owner_differs,
    "dir-blocks-traversal": checks.dir_blocks_traversal,
    "exec-bit-missing": checks.exec_bit_missing,
    "world-writable": checks.world_writable,
    "private-key-too-open": checks.private_key_too_open,
    "ssh-file-writable": checks.ssh_file_writable,
    "host-umask-restrictive": checks.host_umask_restrictive,
    "filesystem-full": checks.filesystem_full,
    "denied-path-restrictive-mode": checks.denied_path("restrictive-mode"),
    "denied-path-not-traversable": checks.denied_path("not-traversable"),
    "denied-path-not-executable": checks.denied_path("not-executable"),
    "denied-path-wrong-owner": checks.denied_path("wrong-owner"),
    "denied-path-allowed-by-modes": checks.denied_path("allowed-by-modes"),
    "denied-path-partly-known": checks.denied_path("partly-known"),
    "denied-path-group-decides": checks.denied_path("group-decides"),
    "symlink-to-ancestor": checks.symlink_to_ancestor,
    "baseline-became-unreadable": checks.baseline_became_unreadable,
    "baseline-owner-changed": checks.baseline_owner_changed,
    "baseline-lost-exec-bit": checks.baseline_lost_exec_bit,
    "baseline-files-missing": checks.baseline_files_missing,
    "exec-on-noexec-mount": host.exec_on_noexec_mount,
    "write-on-readonly-mount": host.write_on_readonly_mount,
    "chown-on-network-filesystem": host.chown_on_network_filesystem,
    "acl-restricts-path": host.acl_restricts_path,
    "path-immutable": host.path_immutable,
    "group-missing-in-process": host.group_missing_in_process,
    "group-not-in-session": host.group_not_in_session,
    "session-holds-path-group": host.session_holds_path_group,
    "unit-sandbox-covers-path": host.unit_sandbox_covers_path,
    "mac-enforcing": host.mac_enforcing,
    "disk-has-room": host.disk_has_room,
    "inotify-watches-low": host.inotify_watches_low,
}
FACT_NAMES = frozenset(FACTS)


def derive_facts(ctx: FactContext, wanted: set[str] | None = None) -> dict[str, Fact]:
    """Every fact that holds, by name (only the wanted ones, if given)."""
    out: dict[str, Fact] = {}
    for name, check in FACTS.items():
        if wanted is not None and name not in wanted:
            continue
        found = check(ctx)
        if found:
            out[name] = max(found, key=lambda f: f.strength)
    return out


__all__ = ["FACTS", "FACT_NAMES", "FactContext", "build_context", "derive_facts"]
