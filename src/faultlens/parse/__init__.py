"""Parsers, one per snapshot format, listed in one registry (the sniffer names the format)."""

from __future__ import annotations

from collections.abc import Callable

from faultlens.parse.records import SnapshotRecords

SnapshotParser = Callable[[str, str], SnapshotRecords]


def snapshot_parser(fmt: str) -> SnapshotParser:
    """The parser for a sniffed snapshot format (imported on demand: logs alone never load lark)."""
    from faultlens.parse import account, collected, df, listing, mounts, namei, security, session, settings, stat

    registry: dict[str, SnapshotParser] = {
        "ls": listing.parse_ls,
        "find-ls": listing.parse_find_ls,
        "find-printf": listing.parse_find_printf,
        "find-printf-octal": listing.parse_find_printf,
        "tar-gnu": listing.parse_tar_gnu,
        "stat": stat.parse_stat,
        "namei": namei.parse_namei,
        "id": account.parse_id,
        "umask": account.parse_umask,
        "df": df.parse_df,
        "faultlens-listing": collected.parse_collected,
        "bsd-stat": stat.parse_bsd_stat,
        "findmnt": mounts.parse_findmnt,
        "mount": mounts.parse_mount,
        "proc-mounts": mounts.parse_proc_mounts,
        "mountinfo": mounts.parse_mountinfo,
        "getenforce": security.parse_getenforce,
        "sestatus": security.parse_sestatus,
        "aa-status": security.parse_aa_status,
        "getfacl": security.parse_getfacl,
        "lsattr": security.parse_lsattr,
        "ulimit": settings.parse_ulimit,
        "proc-status": settings.parse_proc_status,
        "systemctl-show": settings.parse_systemctl_show,
        "unit-file": settings.parse_unit_file,
        "sysctl": settings.parse_sysctl,
        "session": session.parse_session,
    }
    return registry[fmt]
