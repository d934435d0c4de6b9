"""Explaining every run of a night in parallel, with a progress bar on a terminal."""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from faultlens.report.runs import analyze

_KB = None


def _init(kb_dirs: tuple[str, ...]) -> None:
    global _KB
    from faultlens.kb.loader import load_kb

    _KB = load_kb(kb_dirs)


def _work(path: str) -> list[dict]:
    return analyze(Path(path), _KB)


def analyze_all(paths: list[Path], kb_dirs: tuple[str, ...] = (), workers: int | None = None,
                progress: bool | None = None) -> list[dict]:
    """Rows of every run, in the order of `paths`; uses every core."""
    workers = workers or os.cpu_count() or 1
    show = sys.stderr.isatty() if progress is None else progress
    names = [str(p) for p in paths]
    if workers == 1 or len(names) < 4:
        _init(kb_dirs)
        return [row for rows in _tracked(map(_work, names), len(names), show) for row in rows]
    with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(kb_dirs,)) as pool:
        results = pool.map(_work, names, chunksize=max(1, min(64, len(names) // (workers * 8))))
        return [row for rows in _tracked(results, len(names), show) for row in rows]


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
