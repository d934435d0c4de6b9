"""Explaining every run of a night in parallel, with progress on stderr: a bar on a terminal,
plain lines elsewhere (a Jenkins console shows no bar, but it shows lines as they come)."""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from faultlens.report.runs import analyze, everyday_cap, everyday_lines

_KB = None
STEPS = 10  # progress lines for the whole night when stderr is not a terminal


def _init(kb_dirs: tuple[str, ...]) -> None:
    global _KB
    from faultlens.kb.loader import load_kb

    _KB = load_kb(kb_dirs)


def _work(path: str) -> list[dict]:
    return analyze(Path(path), _KB)


def _everyday(cap: int, path: str) -> list[str]:
    return everyday_lines(path, _KB, cap)


def analyze_all(paths: list[Path], kb_dirs: tuple[str, ...] = (), workers: int | None = None,
                progress: bool | None = None) -> list[dict]:
    """Rows of every run, in the order of `paths`; uses every core. Progress goes to stderr
    unless `progress` is False."""
    return [row for rows in _map(_work, [str(p) for p in paths], kb_dirs, workers, progress is not False)
            for row in rows]


def everyday_all(paths: list[str], kb_dirs: tuple[str, ...] = (), workers: int | None = None) -> list[str]:
    """The error-like lines of these (passing) runs, read on every core, at most
    runs.EVERYDAY_LINES in all."""
    cap = everyday_cap(len(paths))
    return [line for lines in _map(partial(_everyday, cap), paths, kb_dirs, workers, False) for line in lines]


def _map(fn, names: list[str], kb_dirs: tuple[str, ...], workers: int | None, show: bool) -> list:
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(names) < 4:
        _init(kb_dirs)
        return list(_tracked(map(fn, names), len(names), show))
    with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(kb_dirs,)) as pool:
        results = pool.map(fn, names, chunksize=max(1, min(64, len(names) // (workers * 8))))
        return list(_tracked(results, len(names), show))


def _tracked(results, total: int, show: bool):
    if not show:
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
