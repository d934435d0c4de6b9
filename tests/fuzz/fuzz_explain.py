"""Coverage-guided fuzzing (atheris) of ingestion, sniffing, parsing and the whole explain path.

    make fuzz                       # installs atheris, fuzzes 5 minutes from tests/fuzz/seeds
    make fuzz FUZZ_SECONDS=3600

Each input is cut into up to three files (names chosen by the fuzzer, so every sniffer branch is
reachable) and explained. Anything but a clean return is a crash: libFuzzer writes it to
crash-<sha>; copy it into tests/fuzz/regressions/, where test_regressions.py replays it forever.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from faultlens.kb.loader import load_kb
    from faultlens.pipeline import explain_blobs

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.fuzz.split import blobs_of  # noqa: E402

KB = load_kb()


def one_input(data: bytes) -> None:
    blobs = blobs_of(data)
    if blobs:
        explain_blobs(blobs, [], KB)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
