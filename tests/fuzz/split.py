"""How a fuzz input becomes files: shared by the atheris harness and the regression replay."""

from __future__ import annotations

from faultlens.ingest.sources import Blob, _expand

NAMES = ("station.log", "ls-lR.txt", "id.txt", "TEST-r.xml", "journal.json", "run.yaml", "bundle.tgz", "stat.txt")


def blobs_of(data: bytes) -> list[Blob]:
    """Up to three files, [name byte][payload], separated by 0xFE 0xFF (names chosen by the fuzzer,
    so every sniffer branch is reachable)."""
    out = []
    for part in data.split(b"\xfe\xff")[:3]:
        if part:
            out += [b for b in _expand(NAMES[part[0] % len(NAMES)], part[1:]) if isinstance(b, Blob)]
    return out
