"""`faultlens explain` on big and small logs, side by side with ripgrep and GNU grep.

    python bench/explain/run.py                           # 100 MiB, 1 GiB, 4 GiB and the small log
    python bench/explain/run.py --sizes 1GiB --repeat 5
    python bench/explain/run.py --sizes none              # the small-input comparison only

Logs come from bench/station.py (seeded; generated once into --dir and kept). The pattern set
for the peers is the knowledge base's own, exported by `faultlens kb patterns --ere`, so all
tools search for the same thing.

Every tool runs twice per round: on all cores, and pinned to one core (`taskset -c 0`). ripgrep
runs as it chooses (it maps a single file into memory) and with `--no-mmap`. One uncounted
warm-up round, then --repeat (at least 5) alternating rounds, every command once per round, in
turn. For each command: wall and CPU seconds (user + sys of the whole process tree,
bench/measure.py) as median (min-max), CPU/wall (how many cores it kept busy), the ratio to
`rg -c -f` on the same cores, round by round, as median (min-max), and the peak memory of the
tree: Pss (with a mapped input file) and anonymous Pss (the tool's own allocations). Then the
evidence is checked: every log line faultlens cites is a line ripgrep matched, and every planted
failure line is found by both.

Small input: a 100 KB station log, `faultlens explain` with a warm cache folder, with a fresh
empty one ($XDG_CACHE_HOME a new folder for every run: a first run in a new CI container), and
`python -c pass` (the price of starting Python at all), alternating, medians and min-max. The
operating system's page cache is not dropped (that would need root and disturb the machine's
other users): "cold" is faultlens's own cache folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from measure import machine, median, ratios, rounds, sample, spread  # noqa: E402
from station import generate, parse_size  # noqa: E402

# the command users run (the installed script; `python -m faultlens` adds runpy's imports)
_SCRIPT = Path(sys.executable).with_name("faultlens")
FAULTLENS = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "faultlens"]
ONE_CORE = ["taskset", "-c", "0"]


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


def tools(patterns: Path) -> dict[str, list[str]]:
    return {"rg -c -f": ["rg", "-c", "-f", str(patterns)],
            "rg --no-mmap -c -f": ["rg", "--no-mmap", "-c", "-f", str(patterns)],
            # the C locale: GNU grep is ~100x slower with these patterns in a UTF-8 locale, and the
            # logs are ASCII, so the matches are the same
            "grep -c -E -f": ["env", "LC_ALL=C", "grep", "-c", "-E", "-f", str(patterns)],
            "faultlens explain": FAULTLENS + ["explain", "--format", "json"]}


def big(sizes: list[str], folder: Path, repeat: int) -> None:
    if not shutil.which("rg"):
        sys.exit("ripgrep (rg) is not installed: apt-get install ripgrep")
    patterns = folder / "patterns.ere"
    patterns.write_text(subprocess.run(FAULTLENS + ["kb", "patterns", "--ere"], capture_output=True, text=True,
                                       check=True).stdout)
    print(machine())
    rows, checks = [], []
    for size in sizes:
        log, planted = log_of(folder, size)
        cmds = {}
        for cores, prefix in (("all", []), ("1", ONE_CORE)):
            for name, cmd in tools(patterns).items():
                cmds[(cores, name)] = prefix + cmd + [str(log)]
        samples = rounds(cmds, repeat)
        for (cores, name), ss in samples.items():
            base = samples[(cores, "rg -c -f")]
            walls, cpus = [s.wall for s in ss], [s.cpu for s in ss]
            rows.append(f"| {size} | {cores} | {name} | {spread(walls)} | {spread(cpus)} "
                        f"| {median([c / w for c, w in zip(cpus, walls)]):.2f} "
                        f"| {spread(ratios(ss, base, 'wall'))} | {spread(ratios(ss, base, 'cpu'))} "
                        f"| {max(s.pss for s in ss) / 2**20:.0f} MB | {max(s.anon for s in ss) / 2**20:.0f} MB |")
        fl1, flall = samples[("1", "faultlens explain")], samples[("all", "faultlens explain")]
        rows.append(f"| {size} | 1 vs all | faultlens (1 core) / rg (all cores) | | | "
                    f"| {spread(ratios(fl1, samples[('all', 'rg -c -f')], 'wall'))} | | | |")
        rows.append(f"| {size} | all vs 1 | faultlens speed-up from the second core (wall 1 core / wall all) | | | "
                    f"| {spread(ratios(fl1, flall, 'wall'))} | | | |")
        result = json.loads(samples[("all", "faultlens explain")][-1].done.stdout)
        checks.append(f"{size}: " + check_evidence(result, log, rg_lines(patterns, log), planted))
    print(f"\n1 warm-up round, then {repeat} alternating rounds; median (min-max); CPU = user + sys of the "
          "process tree; ratios round by round against `rg -c -f` on the same cores; memory: peak of the tree\n")
    print("| log | cores | tool | wall s | CPU s | CPU/wall | wall vs rg | CPU vs rg | peak Pss | peak anon Pss |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print("\nevidence:\n" + "\n".join(checks))


def small(folder: Path, repeat: int) -> None:
    log, _ = log_of(folder, "100KB")
    warm_cache = Path(tempfile.mkdtemp(prefix="faultlens-warm-"))
    explain = FAULTLENS + ["explain", str(log)]
    python = [sys.executable, "-c", "pass"]

    def run(cmd, cache: Path | None):
        env = {**os.environ, "XDG_CACHE_HOME": str(cache)} if cache else None
        s = sample(cmd, 0.01, env=env)
        if s.done.returncode not in (0, 1):
            sys.exit(f"{cmd} failed: {s.done.stderr.strip()}")
        return s

    runs = {"python -c pass": [], "faultlens explain, warm cache": [], "faultlens explain, fresh cache folder": []}
    try:
        run(explain, warm_cache)  # fills the warm cache
        for _ in range(repeat):
            runs["python -c pass"].append(run(python, None))
            runs["faultlens explain, warm cache"].append(run(explain, warm_cache))
            cold = Path(tempfile.mkdtemp(prefix="faultlens-cold-"))
            try:
                runs["faultlens explain, fresh cache folder"].append(run(explain, cold))
            finally:
                shutil.rmtree(cold, ignore_errors=True)
    finally:
        shutil.rmtree(warm_cache, ignore_errors=True)
    base, warm = runs["python -c pass"], runs["faultlens explain, warm cache"]
    print(f"\nsmall input (100 KB), {repeat} alternating rounds; median (min-max); ratios round by round\n")
    print("| command | wall ms | CPU ms | vs python -c pass (wall) | vs warm cache (wall) | vs warm cache (CPU) |")
    print("|---|---|---|---|---|---|")
    for name, ss in runs.items():
        print(f"| {name} | {spread([s.wall * 1000 for s in ss], '{:.0f}')} | {spread([s.cpu * 1000 for s in ss], '{:.0f}')} "
              f"| {spread(ratios(ss, base, 'wall'), '{:.1f}')} | {spread(ratios(ss, warm, 'wall'), '{:.2f}')} "
              f"| {spread(ratios(ss, warm, 'cpu'), '{:.2f}')} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100MiB,1GiB,4GiB", help="comma-separated, or 'none'")
    ap.add_argument("--repeat", type=int, default=5, help="counted rounds (at least 5)")
    ap.add_argument("--small-repeat", type=int, default=20)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/faultlens-bench"), help="where the logs are kept")
    args = ap.parse_args()
    if args.repeat < 5 or args.small_repeat < 5:
        ap.error("medians need at least 5 rounds")
    args.dir.mkdir(parents=True, exist_ok=True)
    # byte-compiled as an installed wheel is: where PYTHONDONTWRITEBYTECODE is set, a module edited
    # since `make setup` would otherwise be compiled again at every start, and timed with it
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent.parent / "src")], check=True)
    if args.sizes != "none":
        big(args.sizes.split(","), args.dir, args.repeat)
    else:
        print(machine())
    small(args.dir, args.small_repeat)


if __name__ == "__main__":
    main()
