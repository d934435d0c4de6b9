"""`explain --baseline` side by side with logreduce 0.6.1 on the 22 CiDiff pass/fail pairs.

    python bench/baseline/run.py                 # accuracy of both, then whole-process times
    python bench/baseline/run.py --rounds 0      # accuracy only
    python bench/baseline/run.py --misses        # and, per pair, what each missed or added

Accuracy: each tool's reported lines of the failing log, in its order. faultlens: the
`baseline.new_lines` of `explain fail.log --baseline pass.log` (the same pipeline, in process).
logreduce: what `logreduce diff pass.log fail.log` reports as anomalies (distance >= its
threshold 0.2; the context lines it prints around them score below it), sorted by distance,
highest first, ties in file order (bench/baseline/logreduce_side.py, in logreduce's own venv).
Ground truth: the `E` ranges of each pair's `groundtruth` (the `C` context lines are not
counted), numbered as CiDiff numbers lines: a lone carriage return (a progress meter) breaks a
line there, not in faultlens or logreduce, which split at \\n only; a \\n line is a ground-truth
line when it holds one (bench/accuracy/corpus.py line_map).

Per pair: the rank of the first ground-truth line in the reported list; the ground-truth lines
reported; the lines reported. Over the 22 pairs: the median first rank, the pairs with a
ground-truth line in the first 10, recall = ground-truth lines reported / all ground-truth lines,
precision = reported lines that are ground truth / all reported lines (both pooled over the
pairs, every line counted once).

Time: in process, one run of each pair after a warm-up (faultlens's explain with the knowledge
base loaded; logreduce's train and test); and whole processes, each command once per round in turn (faultlens, logreduce, faultlens...)
for --rounds rounds; per pair the median wall and CPU (user + sys) time; the faultlens cache
folder is a fresh temporary one, filled by a warm-up run (as a user's is after the first run).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent / "accuracy"))

from corpus import DATA, line_map  # noqa: E402

PAIRS = DATA / "cidiff-breakages"
LOGREDUCE_PYTHON = ROOT / ".venv-logreduce" / "bin" / "python"
LOGREDUCE_THRESHOLD = 0.2  # logreduce's default: a line this far from every passing line is an anomaly
FIRST_N = 10


def cases() -> list[str]:
    return sorted(p.parent.name for p in PAIRS.glob("*/fail.log"))


def truth(case: str, labels: str = "groundtruth") -> set[int]:
    """The failing log's \\n-split lines that hold a ground-truth (E) line."""
    wanted: set[int] = set()
    for row in (PAIRS / case / labels).read_text().splitlines():
        m = re.match(r"E (\d+)(?:-(\d+))?$", row.strip())
        if m:
            wanted.update(range(int(m[1]), int(m[2] or m[1]) + 1))
    return {n for n, covered in enumerate(line_map((PAIRS / case / "fail.log").read_bytes()), start=1)
            if wanted.intersection(covered)}


def faultlens_ranked(names: list[str]) -> tuple[dict[str, list[int]], dict[str, float]]:
    """Each pair's reported lines, and the seconds explain took in process (warm: one pair first)."""
    from faultlens.kb.loader import load_kb
    from faultlens.pipeline import explain

    kb = load_kb(())
    explain([str(PAIRS / names[0] / "fail.log")], kb, baseline=[str(PAIRS / names[0] / "pass.log")])
    out, seconds = {}, {}
    for case in names:
        start = time.perf_counter()
        result = explain([str(PAIRS / case / "fail.log")], kb, baseline=[str(PAIRS / case / "pass.log")])
        seconds[case] = time.perf_counter() - start
        out[case] = [u.line for u in result.baseline.new_lines]
    return out, seconds


def logreduce_ranked(names: list[str], python: Path) -> tuple[dict[str, list[int]], dict[str, float]]:
    run = subprocess.run([str(python), str(HERE / "logreduce_side.py"), str(PAIRS), *names],
                         capture_output=True, text=True, check=True)
    found = json.loads(run.stdout)
    return ({case: [line for line, d in sorted(found[case]["lines"], key=lambda ld: (-ld[1], ld[0]))
                    if d >= LOGREDUCE_THRESHOLD] for case in names},
            {case: found[case]["seconds"] for case in names})


def scored(ranked: list[int], wanted: set[int]) -> dict:
    first = next((i for i, line in enumerate(ranked, start=1) if line in wanted), None)
    return {"first": first, "found": len(wanted.intersection(ranked)), "reported": len(ranked),
            "right": sum(1 for line in ranked if line in wanted)}


def totals(rows: list[dict], wanted: int) -> dict:
    firsts = [r["first"] if r["first"] is not None else float("inf") for r in rows]
    reported = sum(r["reported"] for r in rows)
    return {"first10": sum(f <= FIRST_N for f in firsts), "median_first": statistics.median(firsts),
            "recall": sum(r["found"] for r in rows) / wanted, "precision": sum(r["right"] for r in rows) / reported if reported else 0.0}


def timed(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    """(wall, user + sys CPU seconds) of one whole run of cmd, its output thrown away."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1, 4):  # 1: faultlens unexplained; 4: logreduce found nothing
        raise SystemExit(f"{' '.join(cmd)}: exit status {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def timings(names: list[str], rounds: int, python: Path) -> dict[str, dict[str, tuple[float, float]]]:
    faultlens = str(Path(sys.executable).parent / "faultlens")
    logreduce = str(python.parent / "logreduce")
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, XDG_CACHE_HOME=cache)
        out = {}
        for case in names:
            cmds = {"faultlens": [faultlens, "explain", "fail.log", "--baseline", "pass.log", "--format", "json"],
                    "logreduce": [logreduce, "diff", "pass.log", "fail.log"]}
            for cmd in cmds.values():  # warm-up: the cache folder, the page cache
                timed(cmd, PAIRS / case, env)
            runs: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
            for _ in range(rounds):
                for name, cmd in cmds.items():
                    runs[name].append(timed(cmd, PAIRS / case, env))
            out[case] = {name: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
                         for name, r in runs.items()}
            print(f"  timed {case}: faultlens {out[case]['faultlens'][0]:.2f} s, logreduce {out[case]['logreduce'][0]:.2f} s",
                  file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds per pair (0: accuracy only)")
    parser.add_argument("--logreduce", type=Path, default=LOGREDUCE_PYTHON, help="python of the venv logreduce is in")
    parser.add_argument("--misses", action="store_true", help="list what each tool missed or added")
    parser.add_argument("--labels", default="groundtruth", help="the label file of each pair (groundtruth2: the narrower one)")
    parser.add_argument("--cut", type=int, default=0, help="score only each tool's first N lines (0: all it reports)")
    parser.add_argument("cases", nargs="*", help="pairs to run (default: all)")
    args = parser.parse_args()
    if not PAIRS.is_dir():
        raise SystemExit(f"no CiDiff pairs at {PAIRS} (set FAULTLENS_CORPUS to the corpus data folder)")
    if not args.logreduce.is_file():
        raise SystemExit(f"no logreduce venv at {args.logreduce}: `make bench-setup` makes it")
    names = args.cases or cases()
    wanted = {case: truth(case, args.labels) for case in names}
    (fl, fl_seconds), (lr, lr_seconds) = faultlens_ranked(names), logreduce_ranked(names, args.logreduce)
    if args.cut:
        fl, lr = ({case: r[case][:args.cut] for case in names} for r in (fl, lr))
    ranked, in_process = {"faultlens": fl, "logreduce": lr}, {"faultlens": fl_seconds, "logreduce": lr_seconds}
    rows = {tool: {case: scored(r[case], wanted[case]) for case in names} for tool, r in ranked.items()}
    times = timings(names, args.rounds, args.logreduce) if args.rounds else {}

    print("| pair | truth lines | faultlens: first, found, reported | logreduce: first, found, reported"
          + (" | faultlens wall / CPU | logreduce wall / CPU |" if times else " |"))
    print("|---|---|---|---|" + ("---|---|" if times else ""))
    for case in names:
        f, lr = rows["faultlens"][case], rows["logreduce"][case]
        cells = [case, str(len(wanted[case])),
                 f"{f['first'] or '-'}, {f['found']}, {f['reported']}", f"{lr['first'] or '-'}, {lr['found']}, {lr['reported']}"]
        if times:
            cells += [f"{times[case][tool][0]:.2f} / {times[case][tool][1]:.2f} s" for tool in ("faultlens", "logreduce")]
        print("| " + " | ".join(cells) + " |")
    print()
    all_wanted = sum(len(w) for w in wanted.values())
    print(f"| tool | truth in first {FIRST_N} | median first rank | recall | precision | median wall | median CPU | in process |")
    print("|---|---|---|---|---|---|---|---|")
    for tool in ("faultlens", "logreduce"):
        t = totals(list(rows[tool].values()), all_wanted)
        wall = f"{statistics.median(times[c][tool][0] for c in names):.2f} s" if times else "-"
        cpu = f"{statistics.median(times[c][tool][1] for c in names):.2f} s" if times else "-"
        inside = f"{statistics.median(in_process[tool].values()):.3f} s"
        print(f"| {tool} | {t['first10']}/{len(names)} | {t['median_first']:g} | {t['recall']:.1%} | {t['precision']:.1%} | {wall} | {cpu} | {inside} |")
    if times:
        walls = [times[c]["logreduce"][0] / times[c]["faultlens"][0] for c in names]
        cpus = [times[c]["logreduce"][1] / times[c]["faultlens"][1] for c in names]
        print(f"\nlogreduce / faultlens, median over the pairs: wall {statistics.median(walls):.1f}x, CPU {statistics.median(cpus):.1f}x")
    if args.misses:
        for case in names:
            print(f"\n{case}")
            for tool in ("faultlens", "logreduce"):
                extra = [n for n in ranked[tool][case] if n not in wanted[case]]
                missed = sorted(wanted[case].difference(ranked[tool][case]))
                print(f"  {tool}: not ground truth {extra}; missed {missed}")


if __name__ == "__main__":
    main()
