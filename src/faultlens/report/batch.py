"""Explaining every run of a night in parallel, with progress on stderr: a bar on a terminal,
plain lines elsewhere (a Jenkins console shows no bar, but it shows lines as they come).

The work runs on the local cores (a process pool) or, given a scheduler address, on a Dask
distributed cluster (the optional `faultlens[dask]` extra) whose workers see the runs at the same
path. Either way each run is analysed by the same function and the rows come back in the order
of the runs, so the tables written are the same byte for byte.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from faultlens.report.runs import analyze, everyday_cap, everyday_lines

_KB = None
_KB_DIRS: tuple[str, ...] | None = None
CONNECT_SECONDS = 30  # to reach a Dask scheduler
STEPS = 10  # progress lines for the whole night when stderr is not a terminal


def _init(kb_dirs: tuple[str, ...]) -> None:
    global _KB, _KB_DIRS
    from faultlens.kb.loader import load_kb

    _KB, _KB_DIRS = load_kb(kb_dirs), kb_dirs


def _remote(fn, kb_dirs: tuple[str, ...], name: str):
    """One task on a Dask worker: the knowledge base is loaded once per worker process."""
    if _KB is None or _KB_DIRS != kb_dirs:
        _init(kb_dirs)
    return fn(name)


def _work(path: str) -> list[dict]:
    return analyze(Path(path), _KB)


def _everyday(cap: int, path: str) -> list[str]:
    return everyday_lines(path, _KB, cap)


def analyze_all(paths: list[Path], kb_dirs: tuple[str, ...] = (), workers: int | None = None,
                progress: bool | None = None, scheduler: str | None = None) -> list[dict]:
    """Rows of every run, in the order of `paths`; uses every core (or the Dask cluster at
    `scheduler`). Progress goes to stderr unless `progress` is False."""
    return [row for rows in _map(_work, [str(p) for p in paths], kb_dirs, workers, progress is not False, scheduler)
            for row in rows]


def everyday_all(paths: list[str], kb_dirs: tuple[str, ...] = (), workers: int | None = None,
                 scheduler: str | None = None) -> list[str]:
    """The error-like lines of these (passing) runs, read on every core, at most
    runs.EVERYDAY_LINES in all."""
    cap = everyday_cap(len(paths))
    return [line for lines in _map(partial(_everyday, cap), paths, kb_dirs, workers, False, scheduler) for line in lines]


def _map(fn, names: list[str], kb_dirs: tuple[str, ...], workers: int | None, show: bool,
         scheduler: str | None = None) -> list:
    if scheduler:
        return _on_cluster(fn, names, kb_dirs, show, scheduler)
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(names) < 4:
        _init(kb_dirs)
        return list(_tracked(map(fn, names), len(names), show))
    with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(kb_dirs,)) as pool:
        results = pool.map(fn, names, chunksize=max(1, min(64, len(names) // (workers * 8))))
        return list(_tracked(results, len(names), show))


def _on_cluster(fn, names: list[str], kb_dirs: tuple[str, ...], show: bool, scheduler: str) -> list:
    from faultlens.ingest.sources import InputError

    try:
        from distributed import Client
    except ImportError:
        raise InputError("--scheduler needs Dask: pip install 'faultlens[dask]'") from None
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"{scheduler}: cannot reach the Dask scheduler: {exc}") from None
    with client:
        futures = client.map(partial(_remote, fn, kb_dirs), names, pure=False)
        return list(_tracked((f.result() for f in futures), len(names), show))


def _tracked(results, total: int, show: bool):
    if not show or sys.stderr is None:
        yield from results
    elif sys.stderr.isatty():
        yield from _bar(results, total)
    else:
        yield from _lines(results, total, sys.stderr)


def _lines(results, total: int, out):
    """One line at every tenth of the night (and at the end), flushed at once."""
    print(f"faultlens report: explaining {total} runs", file=out, flush=True)
    marks = {max(1, total * k // STEPS) for k in range(1, STEPS + 1)} if total else set()
    for done, item in enumerate(results, start=1):
        if done in marks:
            print(f"faultlens report: {done}/{total} runs explained ({done * 100 // total} %)", file=out, flush=True)
        yield item


def _bar(results, total: int):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("explaining runs"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("runs", total=total)
        for item in results:
            bar.advance(task)
            yield item
