"""Wall time, CPU time and peak memory of a command and every process it starts, for the benchmarks.

CPU: user + system seconds of the command's whole process tree, from the kernel's accounting of
finished children (getrusage(RUSAGE_CHILDREN) before and after; the harness runs one command at
a time, and every tool measured here waits for its own workers, so their time is included). A
command that uses two cores shows CPU above wall; comparing only wall times compares parallelism.

Memory is sampled from /proc every `interval` seconds, summed over the tree:
- Pss, the proportional set size: pages forked workers share with their parent count once, not
  once per worker. A file a process maps counts as its memory (ripgrep maps its input, so its Pss
  grows with the file: that is page cache, not a working set).
- anonymous Pss (Pss_Anon; RssAnon where smaps_rollup lacks it): the heap and stacks the tool
  itself allocated, with no mapped file in it. This is the figure to compare across tools.
Both are peaks of sums over samples, so a peak shorter than the interval can be missed.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            out.setdefault(ppid, []).append(int(entry))
    return out


def _memory(pid: int) -> tuple[int, int]:
    """(Pss, anonymous Pss) of one process in bytes; VmRSS / RssAnon where smaps_rollup is missing."""
    try:
        fields = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("Pss", "Pss_Anon", "Anonymous"):
                fields[key] = int(rest.split()[0]) * 1024
        if "Pss" in fields:
            return fields["Pss"], fields.get("Pss_Anon", fields.get("Anonymous", 0))
    except (OSError, ValueError, IndexError):
        pass
    try:
        fields = {}
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "RssAnon"):
                fields[key] = int(rest.split()[0]) * 1024
        return fields.get("VmRSS", 0), fields.get("RssAnon", 0)
    except (OSError, ValueError, IndexError):
        return 0, 0


def tree_cpu(root: int) -> float:
    """User + system CPU seconds the live processes of a tree have used so far (for a long-lived
    peer such as a Dask cluster, which is nobody's finished child: read before and after)."""
    tick, kids, todo, total = os.sysconf("SC_CLK_TCK"), _children(), [root], 0
    while todo:
        pid = todo.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        except (OSError, IndexError, ValueError):
            pass
        todo += kids.get(pid, [])
    return total / tick


def tree_memory_both(root: int) -> tuple[int, int]:
    """(Pss, anonymous Pss) in bytes of a process and all its descendants, summed."""
    children, pss, anon, todo = _children(), 0, 0, [root]
    while todo:
        pid = todo.pop()
        p, a = _memory(pid)
        pss, anon = pss + p, anon + a
        todo += children.get(pid, [])
    return pss, anon


def tree_memory(root: int) -> int:
    """Bytes held by a process and all its descendants (Pss, summed)."""
    return tree_memory_both(root)[0]


@dataclass
class Sample:
    """One finished run of a command."""

    wall: float  # seconds
    user: float  # CPU seconds in user mode, whole process tree
    sys: float  # CPU seconds in the kernel, whole process tree
    pss: int  # peak Pss of the tree, bytes
    anon: int  # peak anonymous Pss of the tree, bytes
    done: subprocess.CompletedProcess

    @property
    def cpu(self) -> float:
        return self.user + self.sys


def sample(cmd: list[str], interval: float = 0.05, **kwargs) -> Sample:
    """Run cmd once: wall, CPU (user + sys of the tree), peak Pss and anonymous Pss, its output."""
    peak = [0, 0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            pss, anon = tree_memory_both(proc.pid)
            peak[0], peak[1] = max(peak[0], pss), max(peak[1], anon)
            stop.wait(interval)

    sampler = threading.Thread(target=watch)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    stop.set()
    sampler.join()
    return Sample(wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime, peak[0], peak[1],
                  subprocess.CompletedProcess(cmd, proc.returncode, out, err))


def measured(cmd: list[str], interval: float = 0.05, **kwargs) -> tuple[float, int, subprocess.CompletedProcess]:
    """(wall seconds, peak tree memory in bytes, the finished process) of one run of cmd."""
    s = sample(cmd, interval, **kwargs)
    return s.wall, s.pss, s.done


def rounds(cmds: dict[str, list[str]], repeat: int, warmup: int = 1, ok=(0, 1),
           interval: float = 0.05) -> dict[str, list[Sample]]:
    """Each command once per round, in turn (A B C A B C ...), `warmup` uncounted rounds first,
    then `repeat` counted ones: the samples by name. A command whose exit status is not in `ok`
    stops the benchmark."""
    out: dict[str, list[Sample]] = {name: [] for name in cmds}
    for r in range(warmup + repeat):
        for name, cmd in cmds.items():
            s = sample(cmd, interval)
            if s.done.returncode not in ok:
                raise SystemExit(f"{name} failed ({s.done.returncode}): {s.done.stderr.strip()[:500]}")
            if r >= warmup:
                out[name].append(s)
    return out


def alternating(cmds: dict[str, list[str]], repeat: int) -> tuple[dict[str, list[float]], dict[str, int], dict[str, str]]:
    """Each command once per round, in turn, `repeat` rounds: their walls, peak memories and
    last outputs, by name. A command that fails (exit status over 1) stops the benchmark."""
    samples = rounds(cmds, repeat, warmup=0)
    return ({n: [s.wall for s in ss] for n, ss in samples.items()}, {n: max(s.pss for s in ss) for n, ss in samples.items()},
            {n: ss[-1].done.stdout for n, ss in samples.items()})


def timed(cmd: list[str], **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    """Wall seconds of one run, without the sampler (for short commands)."""
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    return time.perf_counter() - start, done


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    """'median (min-max)' of values."""
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def ratios(a: list[Sample], b: list[Sample], what: str) -> list[float]:
    """Round-by-round ratios a/b of one figure ('wall' or 'cpu'): the pairs ran next to each other,
    so a ratio holds when the machine's speed drifts between rounds."""
    return [getattr(x, what) / getattr(y, what) for x, y in zip(a, b) if getattr(y, what) > 0]


def machine() -> str:
    """Cores, the CPUs this process may use, and the load when the benchmark starts."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({model or 'unknown CPU'}), this process may use CPUs "
            f"{sorted(os.sched_getaffinity(0))}; load average {load} at the start")
