"""Coverage-guided fuzzing (atheris) of the parser for `faultlens collect`'s listing.

    make fuzz-collect                      # installs atheris, fuzzes 5 minutes from tests/fuzz/seeds-collect
    make fuzz-collect FUZZ_SECONDS=3600

Two checks per input: the bytes as a listing (sniffed, decoded and parsed as explain does) give
records or reported problems, never an exception; and the input cut at NUL bytes into names,
escaped as find -ls does and listed, comes back as exactly those names, one record each (no name
can forge or swallow another). A crash lands in crash-<sha>: keep it in tests/fuzz/regressions/.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from faultlens.ingest.decode import to_text
    from faultlens.ingest.sniff import sniff
    from faultlens.parse.collected import HEADER, escape, parse_collected, records


def one_input(data: bytes) -> None:
    text = to_text(data)
    sniff("listing.txt", data, text)
    parse_collected(text, "listing.txt")
    names = [n.replace(b"/", b"_") for n in data.split(b"\0") if n not in (b"", b".", b"..")][:64]
    lines = [HEADER] + [f"  {i} 0 -rw-r--r-- 1 root root {len(n)} Dec  1 05:43 ./d/{escape(n)}" for i, n in enumerate(names)]
    found, bad = records("\n".join(lines) + "\n")
    if bad or [r.name for r in found] != [b"./d/" + n for n in names]:
        raise AssertionError(f"listing round trip failed: {names!r} -> {found!r} {bad!r}")


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
