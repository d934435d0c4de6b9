"""Explaining every run of a night in parallel, with a progress bar on a terminal."""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from faultlens.report.runs import analyze, everyday_lines

_KB = None


def _init(kb_dirs: tuple[str, ...]) -> None:
    global _KB
    from faultlens.kb.loader import load_kb

    _KB = load_kb(kb_dirs)


def _work(path: str) -> list[dict]:
    return analyze(Path(path), _KB)


def _everyday(path: str) -> list[str]:
    return everyday_lines(path, _KB)


def analyze_all(paths: list[Path], kb_dirs: tuple[str, ...] = (), workers: int | None = None,
                progress: bool | None = None) -> list[dict]:
    """Rows of every run, in the order of `paths`; uses every core."""
    show = sys.stderr.isatty() if progress is None else progress
    return [row for rows in _map(_work, [str(p) for p in paths], kb_dirs, workers, show) for row in rows]


def everyday_all(paths: list[str], kb_dirs: tuple[str, ...] = (), workers: int | None = None) -> list[str]:
    """The error-like lines of these (passing) runs, read on every core."""
    return [line for lines in _map(_everyday, paths, kb_dirs, workers, False) for line in lines]


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
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("explaining runs"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("runs", total=total)
        for item in results:
            bar.advance(task)
            yield item
