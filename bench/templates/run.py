"""Template mining, side by side with Drain3: grouping accuracy on Loghub-2k, and throughput.

    python bench/templates/run.py                 # accuracy tables + throughput on 1M lines
    python bench/templates/run.py --lines 200000  # a shorter throughput run
    python bench/templates/run.py --no-drain3     # faultlens alone (drain3 not installed)
    LOGHUB_2K=/unseen python bench/templates/run.py --shipped --no-throughput  # systems it was not tuned on

Accuracy: each stored Loghub-2k system's messages go through faultlens's miner (one
configuration for all) and through Drain3 (its defaults, and with the masking of Drain3's own
example configuration); GA and FGA (loghub.scores) against the corrected ground truth (Loghub
2.0's revision; Windows has none: its original) and against the original one.
In-sample: the configuration is picked on all the systems, then scored on them. Leave one
system out: for each system, the configuration (every choice in faultlens.templates.Config, over
GRID) is picked on the other systems (the best mean of (GA + FGA) / 2, corrected truth) and
scored on the one left out; the mean over the left-out systems estimates what one configuration
does on a system nobody tuned it on, and its gap to the in-sample mean is how much the picking
fits the systems it saw. (Choices made by reading these systems' errors while writing the
miner are not in the grid, so the estimate is optimistic: the systems kept aside are the check.)
Throughput: two deterministic streams, Loghub-2k messages of every system with their values
redrawn (--lines) and a bench/station.py log (--station-lines), each mined by both tools in
turn, alternating, --repeat times; medians and the ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools  # noqa: E402

import msgspec  # noqa: E402

from loghub import has_corrected, load, scores, systems  # noqa: E402
from station import generate  # noqa: E402

from faultlens.templates import DEFAULT, Config, mask_lines, mine, mine_masked  # noqa: E402

# every choice of the miner, the values the leave-one-system-out run picks among
# each field's values in order of how much they merge, most first: the last tie-break
GRID = {
    "min_distinct": (2, 3, 4),
    "rare": (3, 2, 1),
    "absorb": (4, 8, 16, 0),
    "paths": (True, False),
    "join": (True, False),
    "slots": (True, False),
    "vocab": (True, False),
    "hosts": (True, False),
    "optional": (True, False),
}

# Drain3's example masking (drain3/examples/drain3.ini), the "with masking" configuration.
DRAIN3_MASKING = [
    (r"((?<=[^A-Za-z0-9])|^)(([0-9a-f]{2,}:){3,}([0-9a-f]{2,}))((?=[^A-Za-z0-9])|$)", "ID"),
    (r"((?<=[^A-Za-z0-9])|^)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})((?=[^A-Za-z0-9])|$)", "IP"),
    (r"((?<=[^A-Za-z0-9])|^)([0-9a-f]{6,} ?){3,}((?=[^A-Za-z0-9])|$)", "SEQ"),
    (r"((?<=[^A-Za-z0-9])|^)([0-9A-F]{4} ?){4,}((?=[^A-Za-z0-9])|$)", "SEQ"),
    (r"((?<=[^A-Za-z0-9])|^)(0x[a-f0-9A-F]+)((?=[^A-Za-z0-9])|$)", "HEX"),
    (r"((?<=[^A-Za-z0-9])|^)([\-\+]?\d+)((?=[^A-Za-z0-9])|$)", "NUM"),
]


# Drain's per-system settings in logpai/logparser (logparser/Drain/benchmark.py @ c82e548, Apache-2.0):
# (masking regexes, similarity threshold, depth), tuned on each system by its authors.
LOGPARSER_DRAIN = {
    "HDFS": ([r"blk_-?\d+", r"(\d+\.){3}\d+(:\d+)?"], 0.5, 4),
    "Hadoop": ([r"(\d+\.){3}\d+"], 0.5, 4),
    "Spark": ([r"(\d+\.){3}\d+", r"\b[KGTM]?B\b", r"([\w-]+\.){2,}[\w-]+"], 0.5, 4),
    "Zookeeper": ([r"(/|)(\d+\.){3}\d+(:\d+)?"], 0.5, 4),
    "BGL": ([r"core\.\d+"], 0.5, 4),
    "HPC": ([r"=\d+"], 0.5, 4),
    "Thunderbird": ([r"(\d+\.){3}\d+"], 0.5, 4),
    "Windows": ([r"0x.*?\s"], 0.7, 5),
    "Linux": ([r"(\d+\.){3}\d+", r"\d{2}:\d{2}:\d{2}"], 0.39, 6),
    "Android": ([r"(/[\w-]+)+", r"([\w-]+\.){2,}[\w-]+",
                 r"\b(\-?\+?\d+)\b|\b0[Xx][a-fA-F\d]+\b|\b[a-fA-F\d]{4,}\b"], 0.2, 6),
    "HealthApp": ([], 0.2, 4),
    "Apache": ([r"(\d+\.){3}\d+"], 0.5, 4),
    "Proxifier": ([r"<\d+\ssec", r"([\w-]+\.)+[\w-]+(:\d+)?", r"\d{2}:\d{2}(:\d{2})*", r"[KGTM]B"], 0.6, 3),
    "OpenSSH": ([r"(\d+\.){3}\d+", r"([\w-]+\.){2,}[\w-]+"], 0.6, 5),
    "OpenStack": ([r"((\d+\.){3}\d+,?)+", r"/.+?\s", r"\d+"], 0.5, 5),
    "Mac": ([r"([\w-]+\.){2,}[\w-]+"], 0.7, 6),
}


def drain3_tuned_groups(system: str, lines: list[str]) -> list[int] | None:
    """Drain3 with logparser's settings for this system (None when it has none)."""
    if system not in LOGPARSER_DRAIN:
        return None
    from drain3 import TemplateMiner
    from drain3.masking import MaskingInstruction
    from drain3.template_miner_config import TemplateMinerConfig

    regexes, sim_th, depth = LOGPARSER_DRAIN[system]
    config = TemplateMinerConfig()
    config.profiling_enabled = False
    config.drain_sim_th, config.drain_depth = sim_th, depth
    config.masking_instructions = [MaskingInstruction(p, "*") for p in regexes]  # "<*>", as logparser
    miner = TemplateMiner(config=config)
    return [miner.add_log_message(line)["cluster_id"] for line in lines]


def drain3_miner(masked: bool):
    from drain3 import TemplateMiner
    from drain3.masking import MaskingInstruction
    from drain3.template_miner_config import TemplateMinerConfig

    config = TemplateMinerConfig()
    config.profiling_enabled = False
    if masked:
        config.masking_instructions = [MaskingInstruction(p, m) for p, m in DRAIN3_MASKING]
    return TemplateMiner(config=config)


def drain3_groups(lines: list[str], masked: bool) -> list[int]:
    miner = drain3_miner(masked)
    ids = [miner.add_log_message(line)["cluster_id"] for line in lines]
    return ids


_HEXISH = re.compile(r"\b(?=\w*\d)\w+\b")


def loghub_stream(n: int, seed: int = 7) -> list[str]:
    """Loghub-2k messages of every system, interleaved; in every token that holds a digit (ids,
    addresses, hashes, counts) each digit is redrawn as a digit and each letter a-f as one of
    a-f, so values vary as in a real log while the messages stay real."""
    rng = random.Random(seed)
    pools = [load(s)[0] for s in systems()]

    def redraw(m: re.Match) -> str:
        return "".join(rng.choice("0123456789") if c.isdigit() else rng.choice("abcdef") if c in "abcdef" else c
                       for c in m[0])

    return [_HEXISH.sub(redraw, pools[i % len(pools)][rng.randrange(len(pools[i % len(pools)]))]) for i in range(n)]


def station_stream(n: int) -> list[str]:
    """The first n lines of a bench/station.py log (seed 1)."""
    if n <= 0:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "station.log"
        generate(path, n * 140)
        with path.open() as fh:
            return [line.rstrip("\n") for line, _ in zip(fh, range(n))]


def configs() -> list[Config]:
    """The grid in a fixed order (what merges more first, a rule on before off): the last tie-break.
    Not DEFAULT first: DEFAULT is itself the pick on all the systems, so breaking ties towards
    it would let the left-out system vote."""
    return [Config(**dict(zip(GRID, values))) for values in itertools.product(*GRID.values())]


def _diff(config: Config) -> str:
    changed = [f"{f}={getattr(config, f)}" for f in Config.__struct_fields__
               if getattr(config, f) != getattr(DEFAULT, f)]
    return ", ".join(changed) or "the default"


def score_matrix(names: list[str], grid: list[Config]) -> tuple[dict, dict]:
    """(system, config) -> (GA, FGA) against the corrected truth, then against the original;
    and (system, config) -> how many templates."""
    out, sizes = {}, {}
    for name in names:
        lines, truth = load(name)
        original = load(name, truth="original")[1]
        masked: dict[tuple[bool, ...], list[str]] = {}
        for config in grid:
            key = (config.paths, config.join, config.hosts)
            if key not in masked:
                masked[key] = mask_lines(lines, config)
            mined = mine_masked(masked[key], config)
            out[name, config] = scores(truth, mined.groups) + scores(original, mined.groups)
            sizes[name, config] = len(mined.templates)
    return out, sizes


def _pick(matrix: dict, names: list[str], grid: list[Config], sizes: dict | None = None) -> Config:
    """The best mean (GA + FGA) / 2 on names; among equals the one with the fewest templates
    there (it calls more tokens values: what a miner fitted to few systems lacks on others);
    then the first in grid order."""
    def objective(config: Config) -> tuple[float, int]:
        return (sum(matrix[n, config][0] + matrix[n, config][1] for n in names),
                -sum(sizes[n, config] for n in names) if sizes else 0)
    return max(grid, key=objective)  # max keeps the first of equals


def _mean(rows: list[tuple[float, ...]]) -> tuple[float, ...]:
    return tuple(sum(col) / len(rows) for col in zip(*rows))


def accuracy_tables(with_drain3: bool, shipped: bool = False) -> None:
    """shipped: score faultlens.templates.DEFAULT as it is, pick nothing (systems it was not
    tuned on: picking on them would tune on them)."""
    names = systems()
    grid = [DEFAULT] if shipped else configs()
    print(f"Scoring {len(grid)} configurations on {len(names)} systems...", file=sys.stderr)
    matrix, sizes = score_matrix(names, grid)
    chosen = _pick(matrix, names, grid, sizes)
    if shipped:
        print("The shipped configuration (faultlens.templates.DEFAULT), nothing picked on these systems.\n")
    elif chosen != DEFAULT:
        print(f"NOTE: faultlens.templates.DEFAULT is not the pick on these systems ({_diff(chosen)})\n")
    drain_cols = (["Drain3 defaults GA", "FGA", "Drain3 masked GA", "FGA", "Drain3 per-system GA", "FGA"]
                  if with_drain3 else [])
    if not shipped:
        print(f"In-sample: one configuration picked on all {len(names)} systems ({_diff(chosen)}), scored on them.\n")
    print("| system | GA | FGA | GA, original truth | FGA, original truth | " + " | ".join(drain_cols)
          + (" |" if drain_cols else "|"))
    print("|---|" + "---|" * (4 + len(drain_cols)))
    rows = []
    for name in names:
        row = matrix[name, chosen]
        if with_drain3:
            lines, truth = load(name)
            row += scores(truth, drain3_groups(lines, False)) + scores(truth, drain3_groups(lines, True))
            tuned = drain3_tuned_groups(name, lines)
            row += scores(truth, tuned) if tuned is not None else (float("nan"),) * 2
        rows.append(row)
        mark = "" if has_corrected(name) else " (no corrected truth)"
        print(f"| {name}{mark} | " + " | ".join(f"{x:.3f}" for x in row) + " |")
    inside = _mean(rows)
    print("| **mean** | " + " | ".join(f"**{x:.3f}**" for x in inside) + " |")

    if shipped:
        return
    print("\nLeave one system out: the configuration picked on the other systems, scored on the one left out.\n")
    print("| left out | picked on the others | GA | FGA | GA, original truth | FGA, original truth |")
    print("|---|---|---|---|---|---|")
    held = []
    for name in names:
        config = _pick(matrix, [n for n in names if n != name], grid, sizes)
        row = matrix[name, config]
        held.append(row)
        print(f"| {name} | {_diff(config)} | " + " | ".join(f"{x:.3f}" for x in row) + " |")
    out = _mean(held)
    print("| **mean, left out** | | " + " | ".join(f"**{x:.3f}**" for x in out) + " |")
    print("| **mean, in-sample** | | " + " | ".join(f"**{x:.3f}**" for x in inside[:4]) + " |")
    print("| **gap** | | " + " | ".join(f"{a - b:+.3f}" for a, b in zip(out, inside[:4])) + " |")

    print(f"\nOne choice changed from the in-sample pick, mean over the {len(names)} systems (corrected truth):\n")
    print("| change | GA | FGA | systems that move |")
    print("|---|---|---|---|")
    for field, values in GRID.items():
        for value in values:
            if value == getattr(chosen, field):
                continue
            other = msgspec.structs.replace(chosen, **{field: value})
            ga, fga = _mean([matrix[n, other][:2] for n in names])
            moved = [n for n in names if matrix[n, other][:2] != matrix[n, chosen][:2]]
            print(f"| {field}={value} | {ga:.3f} | {fga:.3f} | {', '.join(moved) or 'none'} |")


def _timed(fn, *args) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process: all its threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def throughput(n: int, station: int, repeat: int, with_drain3: bool) -> None:
    """Wall time is what a user waits on an idle machine; on a shared one it counts the other
    processes too, so the CPU time (both cores, for polars's masking) is printed beside it."""
    for title, lines in (("Loghub-2k messages, values redrawn", loghub_stream(n)),
                         ("bench/station.py log", station_stream(station))):
        if not lines:
            continue
        runs: dict[str, list[tuple[float, float]]] = {"faultlens": [], "Drain3 masked": []}
        load = os.getloadavg()[0]
        for _ in range(repeat):
            runs["faultlens"].append(_timed(mine, lines))
            if with_drain3:
                runs["Drain3 masked"].append(_timed(drain3_groups, lines, True))
        print(f"\n{title}: {len(lines):,} lines, {repeat} alternating runs each, medians"
              f" (load average {load:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)\n")
        print("| miner | wall s | lines/s (wall) | CPU s | lines per CPU-second |")
        print("|---|---|---|---|---|")
        med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in runs.items() if v}
        for k, (w, c) in med.items():
            print(f"| {k} | {w:.2f} | {len(lines) / w:,.0f} | {c:.2f} | {len(lines) / c:,.0f} |")
        if len(med) == 2:
            print(f"\nfaultlens is {med['Drain3 masked'][0] / med['faultlens'][0]:.1f}x Drain3 (masked), wall;"
                  f" {med['Drain3 masked'][1] / med['faultlens'][1]:.1f}x in CPU time")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--station-lines", type=int, default=200_000,
                    help="lines of the station-log stream (Drain3 slows down on it: minutes per run at 1M)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-drain3", action="store_true")
    ap.add_argument("--no-throughput", action="store_true")
    ap.add_argument("--no-accuracy", action="store_true")
    ap.add_argument("--shipped", action="store_true",
                    help="score the shipped configuration only, pick nothing (for systems it was not tuned on)")
    args = ap.parse_args()
    if not args.no_accuracy:
        accuracy_tables(not args.no_drain3, args.shipped)
    if not args.no_throughput:
        throughput(args.lines, args.station_lines, args.repeat, not args.no_drain3)


if __name__ == "__main__":
    main()
