"""Scale benchmark for `faultlens report`: a generated floor, wall time, peak memory, runs/s.

    python bench/report/run.py --runs 10000 --log-kb 500      # about 5 GB of logs
    python bench/report/run.py --runs 1000,5000,10000          # the scaling curve

Generates the floor with bench/floor.py (kept between invocations when --floor names an existing
folder; smaller counts are spread subsets of it: every k-th run, linked), runs `faultlens report`
on each while sampling the memory of the whole process tree (parent and workers,
bench/measure.py) every 0.2 s, then times the single-run path (`faultlens explain` in a new
process per run) on a sample of the same runs, for runs per second side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from floor import generate  # noqa: E402
from measure import measured  # noqa: E402


def subset(floor: Path, runs: int) -> Path:
    """A floor of `runs` runs spread over the whole night: every k-th run of `floor`, hard-linked
    (report never follows a symbolic link to a run, so links would be runs it cannot read)."""
    every = sorted(p for p in floor.iterdir() if not p.name.startswith("."))
    if runs >= len(every):
        return floor
    out = floor.with_name(f"{floor.name}-subset-{runs}")
    if not out.exists():
        tmp = out.with_name(out.name + ".part")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        step = len(every) / runs
        for i in range(runs):
            run = every[int(i * step)]
            if run.is_dir():
                shutil.copytree(run, tmp / run.name, copy_function=os.link)
            else:
                os.link(run, tmp / run.name)
        tmp.rename(out)
    return out


def report(floor: Path, workers: int | None) -> dict:
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(floor) for f in files)
    exe = [sys.executable, "-m", "faultlens"]
    with tempfile.TemporaryDirectory() as out:
        cmd = exe + ["report", str(floor), "--out", out] + (["--workers", str(workers)] if workers else [])
        wall, peak, done = measured(cmd, 0.2)
        if done.returncode not in (0, 1):  # 1: a run could not be read (the floor has one truncated tarball)
            sys.exit(done.stderr)
        totals = json.loads(Path(out, "summary.json").read_text())["totals"]
    return {"runs": totals["runs"], "log_bytes": size, "wall_s": round(wall, 1), "peak_rss_mb": round(peak / 2**20),
            "runs_per_s": round(totals["runs"] / wall, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="10000", help="comma-separated: one floor, its spread subsets")
    parser.add_argument("--log-kb", type=int, default=500)
    parser.add_argument("--floor", type=Path, help="where the floor is (or is generated)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--sample", type=int, default=20, help="runs timed on the single-run path")
    args = parser.parse_args()
    counts = sorted(int(n) for n in args.runs.split(","))
    floor = args.floor or Path(tempfile.gettempdir()) / f"faultlens-floor-{counts[-1]}-{args.log_kb}k"
    if not floor.exists():
        t0 = time.perf_counter()
        generate(floor, counts[-1], 8, args.log_kb)
        print(f"generated {floor} in {time.perf_counter() - t0:.0f} s")
    results = [report(subset(floor, n), args.workers) for n in counts]
    runs = sorted(p for p in floor.iterdir() if p.is_dir())[: args.sample]
    t0 = time.perf_counter()
    for run in runs:
        subprocess.run([sys.executable, "-m", "faultlens", "explain", "--format", "json", str(run)], capture_output=True)
    single = (time.perf_counter() - t0) / len(runs)
    print(f"{os.cpu_count()} cores; single-run path: faultlens explain in a new process per run, {single:.3f} s a run\n")
    print("| runs | logs | faultlens report | runs/s | peak memory (all processes) | one process per run (extrapolated) |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['runs']:,} | {r['log_bytes'] / 2**30:.2f} GiB | {r['wall_s']} s | {r['runs_per_s']} | {r['peak_rss_mb']} MB "
              f"| {single * r['runs']:.0f} s |")
    print(json.dumps({"results": results, "single_run_explain_s": round(single, 3), "cores": os.cpu_count()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
