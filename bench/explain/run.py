"""`faultlens explain` on big and small logs, side by side with ripgrep and GNU grep.

    python bench/explain/run.py                           # 100 MiB, 1 GiB, 4 GiB and the small log
    python bench/explain/run.py --sizes 1GiB --repeat 5
    python bench/explain/run.py --sizes none              # the small-input comparison only

Logs come from bench/station.py (seeded; generated once into --dir and kept). The pattern set
for the peers is the knowledge base's own, exported by `faultlens kb patterns --ere`, so all
three search for the same thing. Each round runs every tool once, in turn; the table gives
medians over --repeat rounds, the ratio to `rg -c -f`, and the peak memory of each command's
whole process tree (bench/measure.py). Then the evidence is checked: every log line faultlens
cites is a line ripgrep matched, and every planted failure line is found by both.

Small input: a 100 KB station log, `faultlens explain` against `python -c pass` (the price of
starting Python at all), alternating, medians and the ratio.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from measure import alternating, median, timed  # noqa: E402
from station import generate, parse_size  # noqa: E402

# the command users run (the installed script; `python -m faultlens` adds runpy's imports)
_SCRIPT = Path(sys.executable).with_name("faultlens")
FAULTLENS = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "faultlens"]


def log_of(folder: Path, size_text: str) -> tuple[Path, list[tuple[int, str]]]:
    size = parse_size(size_text)
    path = folder / f"station-{size_text}.log"
    planted_file = path.with_suffix(".planted.json")
    if not (path.exists() and planted_file.exists() and path.stat().st_size >= size):
        planted = generate(path, size)
        planted_file.write_text(json.dumps(planted))
    return path, [tuple(p) for p in json.loads(planted_file.read_text())]


def rg_lines(patterns: Path, log: Path) -> dict[int, str]:
    out = subprocess.run(["rg", "-n", "--no-heading", "-f", str(patterns), str(log)], capture_output=True, text=True)
    lines = {}
    for row in out.stdout.splitlines():
        number, _, text = row.partition(":")
        lines[int(number)] = text
    return lines


def check_evidence(result: dict, log: Path, matched: dict[int, str], planted: list[tuple[int, str]]) -> str:
    cited = {(e["line"], e["text"]) for c in result["causes"] for e in c["evidence"] if e["source"] == str(log)}
    stray = [n for n, text in cited if matched.get(n) != text]
    missed_rg = [n for n, _ in planted if n not in matched]
    missed_fl = [n for n, _ in planted if n not in {n for n, _ in cited}]
    if stray or missed_rg or missed_fl:
        return f"MISMATCH: cited but not matched {stray}, planted missed by rg {missed_rg}, by faultlens {missed_fl}"
    return f"ok: {len(cited)} cited lines all matched by rg; {len(planted)} planted lines found by both"


def big(sizes: list[str], folder: Path, repeat: int) -> None:
    patterns = folder / "patterns.ere"
    patterns.write_text(subprocess.run(FAULTLENS + ["kb", "patterns", "--ere"], capture_output=True, text=True,
                                       check=True).stdout)
    tools = {"rg -c -f": ["rg", "-c", "-f", str(patterns)],
             # the C locale: GNU grep is ~100x slower with these patterns in a UTF-8 locale, and the
             # logs are ASCII, so the matches are the same
             "grep -c -E -f": ["env", "LC_ALL=C", "grep", "-c", "-E", "-f", str(patterns)],
             "faultlens explain": FAULTLENS + ["explain", "--format", "json"]}
    if not shutil.which("rg"):
        sys.exit("ripgrep (rg) is not installed: apt-get install ripgrep")
    rows, checks = [], []
    for size in sizes:
        log, planted = log_of(folder, size)
        walls, peaks, outputs = alternating({name: cmd + [str(log)] for name, cmd in tools.items()}, repeat)
        result = json.loads(outputs["faultlens explain"])
        base = median(walls["rg -c -f"])
        for name in tools:
            rows.append(f"| {size} | {name} | {median(walls[name]):.2f} s | {median(walls[name]) / base:.2f}x "
                        f"| {peaks[name] / 2**20:.0f} MB |")
        checks.append(f"{size}: " + check_evidence(result, log, rg_lines(patterns, log), planted))
    print(f"\n{repeat} alternating rounds, medians; memory: peak of the whole process tree (Pss)\n")
    print("| log | tool | wall | vs rg | peak memory |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    print("\nevidence:\n" + "\n".join(checks))


def small(folder: Path, repeat: int) -> None:
    log, _ = log_of(folder, "100KB")
    runs: dict[str, list[float]] = {"python -c pass": [], "faultlens explain (100 KB)": []}
    cmds = {"python -c pass": [sys.executable, "-c", "pass"],
            "faultlens explain (100 KB)": FAULTLENS + ["explain", str(log)]}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            wall, done = timed(cmd)
            if done.returncode not in (0, 1):
                sys.exit(f"{name} failed: {done.stderr.strip()}")
            runs[name].append(wall)
    base = median(runs["python -c pass"])
    print(f"\nsmall input, {repeat} alternating runs, medians\n")
    print("| command | wall | vs python -c pass |")
    print("|---|---|---|")
    for name, walls in runs.items():
        print(f"| {name} | {median(walls) * 1000:.0f} ms | {median(walls) / base:.1f}x |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100MiB,1GiB,4GiB", help="comma-separated, or 'none'")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--small-repeat", type=int, default=20)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/faultlens-bench"), help="where the logs are kept")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    if args.sizes != "none":
        big(args.sizes.split(","), args.dir, args.repeat)
    small(args.dir, args.small_repeat)


if __name__ == "__main__":
    main()
