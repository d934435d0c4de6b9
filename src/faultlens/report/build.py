"""report(RUNS_DIR, OUT) -> summary: explain every run, then tables, history and the rendered report.

Everything is written into a staging folder inside OUT and moved into place at the end, so an
interrupted run leaves the previous report as it was. Writing holds a lock on OUT: two reports
into one folder take turns, and neither loses the other's history entry.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

import polars as pl

from faultlens import __version__
from faultlens.ingest.sources import InputError
from faultlens.kb.loader import load_kb
from faultlens.report import history, tables
from faultlens.report.batch import analyze_all, everyday_all
from faultlens.report.runs import discover, everyday_sample, with_templates

SCHEMA = "faultlens.report/1"
FILES = ("runs.parquet", "summary.json", "report.md", "report.html", history.HISTORY)


def cluster_id(template: str) -> str:
    return "C" + hashlib.sha1(template.encode()).hexdigest()[:8]


def build(runs_dir: str, out_dir: str, kb_dirs: tuple[str, ...] = (), workers: int | None = None,
          progress: bool | None = None, now: datetime | None = None, night: str | None = None,
          scheduler: str | None = None) -> dict:
    """Report the night in RUNS_DIR (a path or a file:// URL) into OUT_DIR; returns the summary
    (summary.json). With `scheduler`, the runs are analysed on that Dask cluster."""
    source, out = Path(_local(runs_dir)), Path(out_dir)
    if not source.is_dir():
        raise InputError(f"{runs_dir}: not a folder of runs")
    paths = discover(source)
    if not paths:
        raise InputError(f"{runs_dir}: no runs in it (a run is a folder or a .tar/.tgz)")
    kb = load_kb(kb_dirs)  # fail early, in this process, on a broken knowledge base
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot create the output folder: {exc.strerror}") from None
    rows = analyze_all(paths, kb_dirs, workers, progress, scheduler)
    rows = with_templates(rows, everyday_all(everyday_sample(rows), kb_dirs, workers, scheduler))  # passing runs are the baseline
    stamp = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    frame = tables.frame(rows)
    with history.locked(out):
        staging = Path(tempfile.mkdtemp(prefix=history.STAGING, dir=out))
        try:
            frame.write_parquet(staging / "runs.parquet")
            lf = tables.scan(str(staging / "runs.parquet"))
            summary = _summary(lf, runs_dir, kb, stamp, night or _night(lf, stamp))
            past = history.load(out)
            summary["changes"] = history.changes(history.previous(past, summary["night"]), _counts(summary))
            if progress is not False and sys.stderr is not None and not sys.stderr.isatty():
                print(f"faultlens report: writing the report of the night of {summary['night']} into {out_dir}",
                      file=sys.stderr, flush=True)
            _write(staging, summary, kb, past, _explanations(lf))
            for name in FILES:
                (staging / name).replace(out / name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return summary


def _local(runs_dir: str) -> str:
    """The folder a RUNS_DIR names: a path as it is, a file:// URL as its path."""
    if "://" not in runs_dir:
        return runs_dir
    url = urlsplit(runs_dir)
    if url.scheme != "file" or url.netloc not in ("", "localhost"):
        raise InputError(f"{runs_dir}: runs are read from a local path or a file:// URL")
    return unquote(url.path)


def _night(lf: pl.LazyFrame, stamp: datetime) -> str:
    """The night the runs are centred on (history.night_of), or the one just ended without times."""
    middle = lf.select(pl.col("started_at").drop_nulls().median()).collect().item()
    return history.night_of(middle if middle is not None else stamp.replace(tzinfo=None))


def _counts(summary: dict) -> dict[str, int]:
    return {row["cause"]: row["runs"] for row in summary["by_cause"]}


def _records(lf) -> list[dict]:
    return json.loads(json.dumps(lf.collect().to_dicts(), default=str))


def percents(counts: list[int]) -> list[int]:
    """Whole percents of these counts that add up to exactly 100 (largest remainders)."""
    total = sum(counts)
    if not total:
        return [0] * len(counts)
    exact = [n * 100 / total for n in counts]
    out = [int(x) for x in exact]
    for i in sorted(range(len(counts)), key=lambda i: (out[i] - exact[i], i))[:100 - sum(out)]:
        out[i] += 1
    return out


def _shares(lf) -> list[dict]:
    rows = _records(tables.shares(lf))
    for row, pct in zip(rows, percents([r["runs"] for r in rows])):
        row["percent"] = pct
    return rows


def _summary(lf, runs_dir: str, kb, stamp: datetime, night: str) -> dict:
    clusters = _records(tables.clusters(lf))
    for c in clusters:
        c["id"] = cluster_id(c["template"])
    return {
        "schema": SCHEMA,
        "night": night,
        "generated_at": stamp.isoformat(),
        "runs_dir": runs_dir,
        "faultlens": __version__,
        "knowledge_base": {"causes": len(kb.causes), "version": kb.version},
        "totals": _records(tables.totals(lf))[0],
        "by_cause": _records(tables.by_cause(lf)),
        "shares": _shares(lf),
        "failing_runs": _records(tables.failing(lf)),
        "release_correlation": _records(tables.release_correlation(lf)),
        "by_release": _records(tables.by_release(lf)),
        "by_host": _records(tables.by_place(lf, "host")),
        "by_station": _records(tables.by_place(lf, "station")),
        "over_time": _records(tables.over_time(lf)),
        "clusters": clusters,
        "errors": _records(tables.errors(lf)),
        "problems": _records(tables.problems(lf)),
        "titles": {cid: c.title for cid, c in kb.causes.items()},
    }


def _explanations(lf) -> dict[str, dict]:
    """Each failing run's own `explain --format json` document, by run name."""
    rows = lf.filter(pl.col("explanation").is_not_null()).select("run", "explanation").collect().iter_rows()
    return {run: json.loads(doc) for run, doc in rows}


def _write(staging: Path, summary: dict, kb, past: list[dict], explanations: dict[str, dict]) -> None:
    from faultlens.render import report_html, report_md
    from faultlens.runbooks import load_runbooks

    books = load_runbooks(kb.runbook_dirs)
    (staging / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    (staging / "report.md").write_text(report_md.render(summary))
    (staging / "report.html").write_text(report_html.render(summary, books, explanations))
    entry = {"night": summary["night"], "generated_at": summary["generated_at"], "runs": summary["totals"]["runs"],
             "failing": summary["totals"]["failing"], "by_cause": _counts(summary)}
    (staging / history.HISTORY).write_text(json.dumps(history.recorded(past, entry), indent=1) + "\n")
