"""`faultlens check` on a big release tree, side by side with `find -printf` over the same tree.

    python bench/check/run.py                      # 100,000 files, 5 alternating rounds
    python bench/check/run.py --files 20000 --repeat 3

The tree comes from bench/tree.py (generated once into --dir and kept). `find -printf` prints
what check needs of every entry (type and mode, owner, group, size, path, link target); check
also reads the first bytes of every file (shebang, ELF, CRLF). Both run warm (the tree is
listed once before timing). Medians, the ratio, and the peak memory of each process tree.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from measure import alternating, median  # noqa: E402
from tree import generate  # noqa: E402

FIND_FORMAT = "%M %u %g %s %p %l\\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/faultlens-bench"))
    args = ap.parse_args()
    tree = args.dir / f"release-{args.files}"
    if not tree.exists():
        generate(tree, args.files)
    cmds = {"find -printf": ["find", str(tree), "-printf", FIND_FORMAT],
            "faultlens check": [sys.executable, "-m", "faultlens", "check", str(tree), "--user", "tester",
                                "--format", "json"]}
    subprocess.run(cmds["find -printf"], capture_output=True, check=True)  # warm the dentry cache
    walls, peaks, outputs = alternating(cmds, args.repeat)
    report = json.loads(outputs["faultlens check"])
    entries = sum(1 for _ in tree.rglob("*")) + 1
    base = median(walls["find -printf"])
    print(f"\n{entries:,} entries ({args.files:,} files), {args.repeat} alternating rounds, medians\n")
    print("| command | wall | vs find | peak memory |")
    print("|---|---|---|---|")
    for name in cmds:
        print(f"| {name} | {median(walls[name]):.2f} s | {median(walls[name]) / base:.2f}x | {peaks[name] / 2**20:.0f} MB |")
    print(f"\ncheck found: {[(f['check'], f['count']) for f in report['findings']]}")


if __name__ == "__main__":
    main()
