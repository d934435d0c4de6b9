"""Coverage-guided fuzzing (atheris) of run.yaml, the one file of a run that `report` parses
as structured metadata (report.runs.run_metadata, the loader without aliases).

    make fuzz-runyaml                       # installs atheris, fuzzes 5 minutes from tests/fuzz/seeds-runyaml
    make fuzz-runyaml FUZZ_SECONDS=3600

A clean return is: the fields that were given, each a string within the bound, and a list of
problems, each naming run.yaml. Anything else (an exception, a field too long) is a crash:
libFuzzer writes it to crash-<sha>; copy it into tests/fuzz/regressions-runyaml/, where
test_runyaml_regressions.py replays it forever.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    import yaml  # noqa: F401 - instrumented: the loader's branches are what is fuzzed

    from faultlens.report.runs import MAX_FIELD, METADATA_FIELDS, run_metadata


def check(data: bytes) -> None:
    meta, problems = run_metadata(data)
    assert set(meta) <= set(METADATA_FIELDS), meta
    assert all(isinstance(v, str) and 0 < len(v) <= MAX_FIELD + 1 for v in meta.values()), meta
    assert all(isinstance(p, str) and p.startswith("run.yaml: ") for p in problems), problems


def main() -> None:
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
