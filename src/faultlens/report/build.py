"""report(RUNS_DIR, OUT) -> summary: explain every run, then tables, history and the rendered report.

Everything is written into a staging folder inside OUT and moved into place at the end, so an
interrupted run leaves the previous report as it was.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

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
          progress: bool | None = None, now: datetime | None = None) -> dict:
    source, out = Path(runs_dir), Path(out_dir)
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
    rows = analyze_all(paths, kb_dirs, workers, progress)
    rows = with_templates(rows, everyday_all(everyday_sample(rows), kb_dirs, workers))  # passing runs are the baseline
    stamp = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        tables.frame(rows).write_parquet(staging / "runs.parquet")
        summary = _summary(tables.scan(str(staging / "runs.parquet")), runs_dir, kb, stamp)
        past = history.load(out)
        summary["changes"] = history.changes(past[-1] if past else None, _counts(summary))
        _write(staging, summary, kb, past)
        for name in FILES:
            (staging / name).replace(out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return summary


def _counts(summary: dict) -> dict[str, int]:
    return {row["cause"]: row["runs"] for row in summary["by_cause"]}


def _records(lf) -> list[dict]:
    return json.loads(json.dumps(lf.collect().to_dicts(), default=str))


def _summary(lf, runs_dir: str, kb, stamp: datetime) -> dict:
    clusters = _records(tables.clusters(lf))
    for c in clusters:
        c["id"] = cluster_id(c["template"])
    return {
        "schema": SCHEMA,
        "generated_at": stamp.isoformat(),
        "runs_dir": runs_dir,
        "faultlens": __version__,
        "knowledge_base": {"causes": len(kb.causes), "version": kb.version},
        "totals": _records(tables.totals(lf))[0],
        "by_cause": _records(tables.by_cause(lf)),
        "release_correlation": _records(tables.release_correlation(lf)),
        "by_release": _records(tables.by_release(lf)),
        "by_host": _records(tables.by_place(lf, "host")),
        "by_station": _records(tables.by_place(lf, "station")),
        "over_time": _records(tables.over_time(lf)),
        "clusters": clusters,
        "errors": _records(tables.errors(lf)),
        "titles": {cid: c.title for cid, c in kb.causes.items()},
    }


def _write(staging: Path, summary: dict, kb, past: list[dict]) -> None:
    from faultlens.render import report_html, report_md
    from faultlens.runbooks import load_runbooks

    books = load_runbooks(kb.runbook_dirs)
    (staging / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    (staging / "report.md").write_text(report_md.render(summary))
    (staging / "report.html").write_text(report_html.render(summary, books))
    entry = {"generated_at": summary["generated_at"], "runs": summary["totals"]["runs"], "by_cause": _counts(summary)}
    (staging / history.HISTORY).write_text(json.dumps(history.appended(past, entry), indent=1) + "\n")
