"""Parsers, one per snapshot format, listed in one registry (the sniffer names the format)."""

from __future__ import annotations

from collections.abc import Callable

from faultlens.parse.records import SnapshotRecords

SnapshotParser = Callable[[str, str], SnapshotRecords]


def snapshot_parser(fmt: str) -> SnapshotParser:
    """The parser for a sniffed snapshot format (imported on demand: logs alone never load lark)."""
    from faultlens.parse import account, df, listing, namei, stat

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
    }
    return registry[fmt]
