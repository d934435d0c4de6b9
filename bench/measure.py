"""Wall time and peak memory of a command and every process it starts, for the benchmarks.

Memory is sampled from /proc: the proportional set size (Pss) of each process in the tree,
summed, so pages that forked workers share with their parent are counted once, not once per
worker (VmRSS where smaps_rollup is missing). A file a process maps (ripgrep maps its input)
counts as its memory, as the kernel reports it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
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


def _memory(pid: int) -> int:
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
        except OSError:
            continue
    return 0


def tree_memory(root: int) -> int:
    """Bytes held by a process and all its descendants (Pss, summed)."""
    children, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        total += _memory(pid)
        todo += children.get(pid, [])
    return total


def measured(cmd: list[str], interval: float = 0.05, **kwargs) -> tuple[float, int, subprocess.CompletedProcess]:
    """(wall seconds, peak tree memory in bytes, the finished process) of one run of cmd."""
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_memory(proc.pid))
            stop.wait(interval)

    sampler = threading.Thread(target=sample)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    return wall, peak, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def alternating(cmds: dict[str, list[str]], repeat: int) -> tuple[dict[str, list[float]], dict[str, int], dict[str, str]]:
    """Each command once per round, in turn, `repeat` rounds: their walls, peak memories and
    last outputs, by name. A command that fails (exit status over 1) stops the benchmark."""
    walls: dict[str, list[float]] = {name: [] for name in cmds}
    peaks: dict[str, int] = {name: 0 for name in cmds}
    outputs: dict[str, str] = {}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            wall, peak, done = measured(cmd)
            if done.returncode not in (0, 1):
                raise SystemExit(f"{name} failed: {done.stderr.strip()}")
            walls[name].append(wall)
            peaks[name] = max(peaks[name], peak)
            outputs[name] = done.stdout
    return walls, peaks, outputs


def timed(cmd: list[str], **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    """Wall seconds of one run, without the sampler (for short commands)."""
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    return time.perf_counter() - start, done


def median(values: list[float]) -> float:
    return statistics.median(values)
