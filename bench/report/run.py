"""Scale benchmark for `faultlens report`: a generated floor, wall time, peak memory, runs/s.

    python bench/report/run.py --runs 10000 --log-kb 500      # about 5 GB of logs
    python bench/report/run.py --runs 1000 --log-kb 500 --floor /tmp/floor1k

Generates the floor with bench/floor.py (kept between invocations when --floor names an existing
folder), runs `faultlens report` on it while sampling the memory of the whole process tree
(parent and workers, bench/measure.py) every 0.2 s, then times the single-run path (`faultlens explain` in a
new process per run) on a sample of the same runs, for runs per second side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from floor import generate  # noqa: E402
from measure import measured  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10000)
    parser.add_argument("--log-kb", type=int, default=500)
    parser.add_argument("--floor", type=Path, help="where the floor is (or is generated)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--sample", type=int, default=20, help="runs timed on the single-run path")
    args = parser.parse_args()
    floor = args.floor or Path(tempfile.gettempdir()) / f"faultlens-floor-{args.runs}-{args.log_kb}k"
    if not floor.exists():
        t0 = time.perf_counter()
        generate(floor, args.runs, 8, args.log_kb)
        print(f"generated {floor} in {time.perf_counter() - t0:.0f} s")
    size = sum(p.stat().st_size for p in floor.rglob("*") if p.is_file())
    exe = [sys.executable, "-m", "faultlens"]
    with tempfile.TemporaryDirectory() as out:
        cmd = exe + ["report", str(floor), "--out", out] + (["--workers", str(args.workers)] if args.workers else [])
        wall, peak, done = measured(cmd, 0.2)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        totals = json.loads(Path(out, "summary.json").read_text())["totals"]
    runs = sorted(p for p in floor.iterdir() if p.is_dir())[: args.sample]
    t0 = time.perf_counter()
    for run in runs:
        subprocess.run(exe + ["explain", "--format", "json", str(run)], capture_output=True)
    single = (time.perf_counter() - t0) / len(runs)
    result = {"runs": totals["runs"], "log_bytes": size, "wall_s": round(wall, 1), "peak_rss_mb": round(peak / 2**20),
              "runs_per_s": round(totals["runs"] / wall, 1), "single_run_explain_s": round(single, 3),
              "single_path_runs_per_s": round(1 / single, 1), "cores": os.cpu_count()}
    print(f"floor: {result['runs']} runs, {size / 2**30:.2f} GiB of logs, {result['cores']} cores")
    print("| path | wall | runs/s | peak memory |")
    print("|---|---|---|---|")
    print(f"| faultlens report | {wall:.1f} s | {result['runs_per_s']} | {result['peak_rss_mb']} MB (all processes) |")
    print(f"| faultlens explain, one process per run | {single * totals['runs']:.0f} s (extrapolated) | {result['single_path_runs_per_s']} | |")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
