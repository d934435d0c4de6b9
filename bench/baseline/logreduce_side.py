"""logreduce's side of bench/baseline, run by the interpreter of the venv logreduce 0.6.1 is in
(`make bench-setup` makes .venv-logreduce): never imported by faultlens.

    .venv-logreduce/bin/python bench/baseline/logreduce_side.py DATA_DIR CASE... > out.json

For each pair, what `logreduce diff pass.log fail.log` computes, through its Python API (the
same Classifier, model and defaults as its command line: hashing_nn, threshold 0.2, merge
distance 5, 3 lines of context before, 1 after): every line it prints, with its distance to the
nearest line of the passing log. Prints {case: {"lines": [[line, distance], ...], "seconds": s}},
lines numbered from 1 as the file splits at \\n (logreduce reads the file line by line).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from logreduce.process import Classifier

THRESHOLD, MERGE_DISTANCE, BEFORE, AFTER = 0.2, 5, 3, 1  # logreduce's command-line defaults


def diff(folder: Path) -> dict:
    start = time.perf_counter()
    clf = Classifier("hashing_nn")
    clf.train([str(folder / "pass.log")], command=["bench"])
    result = clf.process([str(folder / "fail.log")], threshold=THRESHOLD, merge_distance=MERGE_DISTANCE,
                         before_context=BEFORE, after_context=AFTER, command=["bench"])
    best: dict[int, float] = {}
    for info in result["files"].values():
        for pos, distance in info["scores"]:  # a line logreduce expands into several repeats its pos
            best[int(pos) + 1] = max(best.get(int(pos) + 1, 0.0), float(distance))
    return {"lines": sorted(best.items()), "seconds": time.perf_counter() - start}


def main() -> None:
    data = Path(sys.argv[1])
    json.dump({case: diff(data / case) for case in sys.argv[2:]}, sys.stdout)


if __name__ == "__main__":
    main()
