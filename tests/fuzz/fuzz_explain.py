"""Coverage-guided fuzzing (atheris) of ingestion, sniffing, parsing and the whole explain path.

    make fuzz                       # installs atheris, fuzzes 5 minutes from tests/fuzz/seeds
    make fuzz FUZZ_SECONDS=3600

Each input is cut into up to three files (names chosen by the fuzzer, so every sniffer branch is
reachable) and explained. Anything but a clean return is a crash: libFuzzer writes it to
crash-<sha>; copy it into tests/fuzz/regressions/, where test_regressions.py replays it forever.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from faultlens.ingest.sources import Blob, _expand
    from faultlens.kb.loader import load_kb
    from faultlens.pipeline import explain_blobs

KB = load_kb()
NAMES = ("station.log", "ls-lR.txt", "id.txt", "TEST-r.xml", "journal.json", "run.yaml", "bundle.tgz", "stat.txt")


def blobs_of(data: bytes) -> list[Blob]:
    """Split fuzz input into named files: [name byte][payload] separated by 0xFE 0xFF."""
    out = []
    for part in data.split(b"\xfe\xff")[:3]:
        if not part:
            continue
        name = NAMES[part[0] % len(NAMES)]
        for item in _expand(name, part[1:]):
            if isinstance(item, Blob):
                out.append(item)
    return out


def one_input(data: bytes) -> None:
    blobs = blobs_of(data)
    if blobs:
        explain_blobs(blobs, [], KB)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
