"""Scale benchmark for `faultlens report`, against `xargs -P$(nproc) faultlens explain` on the same runs.

    python bench/report/run.py --runs 1000 --sample 100          # a 1,000-run night, 100 runs sampled
    python bench/report/run.py --runs 10000 --log-kb 500         # about 5 GB of logs

Generates the night with bench/floor.py (kept between invocations when --floor names an existing
folder). Three measurements, each one uncounted warm-up round then --repeat (at least 5) rounds,
the whole process tree's wall and CPU (user + sys) and peak memory (bench/measure.py):

1. the pair: a seeded random sample of --sample runs of the night (hard-linked into a folder of
   their own), `faultlens report SAMPLE` against its peer on the same runs, alternating:
   `xargs -P$(nproc)` running, per run, the batch's own pass-skip rule (a run whose run.yaml says
   `result: pass` is not explained: `grep -qx 'result: pass' RUN/run.yaml`) and otherwise
   `faultlens explain --format json RUN`. The ratio is taken round by round.
2. `faultlens report` on the whole night.
3. the peer on the whole night, extrapolated from the pair: its wall and CPU per explained run of
   the sample times the runs the night explains (the runs without `result: pass`; the sample's
   share of passing runs differs from the night's, both are printed). The skipped runs cost one
   grep each, inside the sample's figure and scaled with it: a small overestimate of the peer.
Report does more than its peer: it reads the passing runs too (their lines filter the clusters),
clusters the unexplained ones and writes Parquet, tables and HTML.

With --dask, instead: the engine's overhead. `faultlens report NIGHT` on the local pool against
`faultlens report NIGHT --scheduler tcp://...` on a Dask LocalCluster of as many single-threaded
worker processes as the machine has cores (started once, before the rounds), alternating; the
cluster's CPU is read from /proc before and after each round and added to the command's.

    python bench/report/run.py --runs 10000 --dask
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from floor import generate  # noqa: E402
from measure import machine, median, ratios, rounds, sample, spread, tree_cpu  # noqa: E402

_SCRIPT = Path(sys.executable).with_name("faultlens")
FAULTLENS = str(_SCRIPT) if _SCRIPT.exists() else f"{sys.executable} -m faultlens"


def runs_of(floor: Path) -> list[Path]:
    return sorted(p for p in floor.iterdir() if not p.name.startswith(".") and not p.name.endswith(".part"))


def passing(run: Path) -> bool:
    """The batch's rule, as a shell sees it: run.yaml holds the line `result: pass`."""
    try:
        return "result: pass" in (run / "run.yaml").read_text().splitlines()
    except OSError:
        return False


def sampled(floor: Path, n: int, seed: int) -> Path:
    """A folder of n runs of the night drawn at random (seeded), hard-linked (report never follows
    a symbolic link to a run)."""
    every = runs_of(floor)
    chosen = sorted(random.Random(seed).sample(every, min(n, len(every))))
    out = floor.with_name(f"{floor.name}-sample-{n}-seed{seed}")
    if not out.exists():
        tmp = out.with_name(out.name + ".part")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for run in chosen:
            if run.is_dir():
                shutil.copytree(run, tmp / run.name, copy_function=os.link)
            else:
                os.link(run, tmp / run.name)
        tmp.rename(out)
    return out


def report_cmd(floor: Path, workers: int | None) -> list[str]:
    """faultlens report into a fresh output folder every round (its history would grow otherwise)."""
    extra = f" --workers {workers}" if workers else ""
    return ["sh", "-c", f'd=$(mktemp -d) && {FAULTLENS} report "$1" --out "$d"{extra} >/dev/null; rc=$?; rm -rf "$d"; '
            'exit $rc', "sh", str(floor)]


def peer_cmd(floor: Path, jobs: int) -> list[str]:
    per_run = (f'grep -qsx "result: pass" "$1/run.yaml" && exit 0; {FAULTLENS} explain --format json "$1" >/dev/null; '
               'exit 0')  # a run explain cannot read (the truncated tarball) must not stop xargs
    return ["sh", "-c", f'find "$1" -mindepth 1 -maxdepth 1 ! -name ".*" -print0 | sort -z | '
            f"xargs -0 -P{jobs} -n1 sh -c '{per_run}' sh", "sh", str(floor)]


_CLUSTER = """
import sys
from distributed import LocalCluster
cluster = LocalCluster(n_workers=int(sys.argv[1]), threads_per_worker=1, processes=True, dashboard_address=None)
print(cluster.scheduler_address, flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
"""


def engine_rounds(floor: Path, workers: int | None, repeat: int) -> tuple[dict[str, list], int]:
    """The local pool and a LocalCluster of the same cores, alternating (1 warm-up round): samples
    by name, the cluster's CPU added to its command's."""
    import subprocess

    cores = workers or os.cpu_count() or 1
    cluster = subprocess.Popen([sys.executable, "-c", _CLUSTER, str(cores)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    address = cluster.stdout.readline().strip()
    if not address:
        raise SystemExit("the Dask LocalCluster did not start (pip install 'faultlens[dask]')")
    local = report_cmd(floor, workers)
    on_dask = ["sh", "-c", f'd=$(mktemp -d) && {FAULTLENS} report "$1" --out "$d" --scheduler {address} >/dev/null; '
               'rc=$?; rm -rf "$d"; exit $rc', "sh", str(floor)]
    out: dict[str, list] = {"local pool": [], "Dask LocalCluster": []}
    try:
        for r in range(1 + repeat):
            for name, cmd in (("local pool", local), ("Dask LocalCluster", on_dask)):
                before = tree_cpu(cluster.pid)
                s = sample(cmd, 0.2)
                if s.done.returncode not in (0, 1):
                    raise SystemExit(f"{name} failed ({s.done.returncode}): {s.done.stderr.strip()[:500]}")
                s.user += tree_cpu(cluster.pid) - before  # the cluster's share, counted as user time
                if r:
                    out[name].append(s)
    finally:
        cluster.stdin.close()
        cluster.wait(timeout=60)
    return out, cores


def row(name: str, ss, base=None) -> str:
    walls, cpus = [s.wall for s in ss], [s.cpu for s in ss]
    out = (f"| {name} | {spread(walls)} | {spread(cpus)} | {median([c / w for c, w in zip(cpus, walls)]):.2f} "
           f"| {max(s.pss for s in ss) / 2**20:.0f} MB | {max(s.anon for s in ss) / 2**20:.0f} MB |")
    if base is not None:
        out += f" {spread(ratios(ss, base, 'wall'))} | {spread(ratios(ss, base, 'cpu'))} |"
    else:
        out += " | |"
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--log-kb", type=int, default=500)
    parser.add_argument("--floor", type=Path, help="where the night is (or is generated)")
    parser.add_argument("--workers", type=int, default=None, help="report's --workers (default: one per core)")
    parser.add_argument("--sample", type=int, default=100, help="runs drawn at random for the pair")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=5, help="counted rounds (at least 5)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="xargs -P (default: nproc)")
    parser.add_argument("--dask", action="store_true", help="the local pool against a Dask LocalCluster instead")
    args = parser.parse_args()
    if args.repeat < 5:
        parser.error("medians need at least 5 rounds")
    floor = args.floor or Path(tempfile.gettempdir()) / f"faultlens-floor-{args.runs}-{args.log_kb}k"
    if not floor.exists():
        t0 = time.perf_counter()
        generate(floor, args.runs, 8, args.log_kb)
        print(f"generated {floor} in {time.perf_counter() - t0:.0f} s")
    night = runs_of(floor)
    sample = sampled(floor, args.sample, args.seed)
    sample_runs = runs_of(sample)
    night_pass = sum(passing(r) for r in night)
    sample_pass = sum(passing(r) for r in sample_runs)
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(floor) for f in files)
    print(machine())
    print(f"night: {len(night):,} runs, {size / 2**30:.2f} GiB, {night_pass:,} with result: pass "
          f"({night_pass / len(night):.1%}); sample (seed {args.seed}): {len(sample_runs)} runs, {sample_pass} pass "
          f"({sample_pass / len(sample_runs):.1%})")
    if args.dask:
        return dask_table(floor, len(night), args)
    ok = (0, 1)
    pair = rounds({"report": report_cmd(sample, args.workers), "peer": peer_cmd(sample, args.jobs)}, args.repeat, ok=ok,
                  interval=0.2)
    whole = rounds({"report": report_cmd(floor, args.workers)}, args.repeat, ok=ok, interval=0.2)["report"]
    scale = (len(night) - night_pass) / (len(sample_runs) - sample_pass)
    peer_wall = [s.wall * scale for s in pair["peer"]]
    peer_cpu = [s.cpu * scale for s in pair["peer"]]
    print(f"\n1 warm-up round, then {args.repeat} rounds; median (min-max); CPU = user + sys of the process tree; "
          "memory: peak of the tree; ratios round by round\n")
    print("| what | wall s | CPU s | CPU/wall | peak Pss | peak anon Pss | wall vs peer | CPU vs peer |")
    print("|---|---|---|---|---|---|---|---|")
    print(row(f"`faultlens report`, {len(sample_runs)} sampled runs", pair["report"], pair["peer"]))
    print(row(f"`xargs -P{args.jobs}` explain, same {len(sample_runs)} runs, pass-skip", pair["peer"]))
    print(row(f"`faultlens report`, whole night ({len(night):,} runs)", whole))
    print(f"| `xargs -P{args.jobs}` explain, whole night, extrapolated x{scale:.2f} (explained runs) from the sample | {spread(peer_wall)} "
          f"| {spread(peer_cpu)} | | | | | |")
    print(f"\nwhole night: report / extrapolated peer, wall {median([s.wall for s in whole]) / median(peer_wall):.2f}, "
          f"CPU {median([s.cpu for s in whole]) / median(peer_cpu):.2f} (medians)")
    print(json.dumps({"cores": os.cpu_count(), "jobs": args.jobs, "night_runs": len(night), "night_pass": night_pass,
                      "sample_runs": len(sample_runs), "sample_pass": sample_pass, "seed": args.seed,
                      "pair": {k: [[round(s.wall, 3), round(s.cpu, 3)] for s in v] for k, v in pair.items()},
                      "whole": [[round(s.wall, 3), round(s.cpu, 3)] for s in whole]}))
    return 0


def dask_table(floor: Path, runs: int, args) -> int:
    engines, cores = engine_rounds(floor, args.workers, args.repeat)
    local, dask = engines["local pool"], engines["Dask LocalCluster"]
    print(f"\n1 warm-up round, then {args.repeat} rounds, alternating; {cores} worker processes either way; "
          "median (min-max); the cluster's memory is not sampled\n")
    print("| engine | wall s | CPU s | CPU/wall | peak Pss | peak anon Pss | wall vs local | CPU vs local |")
    print("|---|---|---|---|---|---|---|---|")
    print(row("local pool", local))
    print(row("Dask LocalCluster", dask, local))
    for name, ss in engines.items():
        per_hour = runs / median([s.cpu for s in ss]) * 3600
        print(f"{name}: {per_hour:,.0f} runs per hour per core of CPU ({runs:,} runs / median CPU s)")
    print(json.dumps({"cores": cores, "runs": runs,
                      "engines": {k: [[round(s.wall, 3), round(s.cpu, 3)] for s in v] for k, v in engines.items()}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
