"""One run of a night: find it, read its metadata, explain it, and turn the result into rows.

A run is a folder or a tarball directly under RUNS_DIR. Its optional `run.yaml` gives host,
station, started_at, finished_at, release and result; what is missing is inferred from the logs
where they say it (host from syslog-style lines, times from ISO time stamps) and otherwise left
empty, never invented.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import yaml

from faultlens.ingest.sources import read_inputs
from faultlens.parse.logs import line_host, line_time
from faultlens.pipeline import Run, explain_run, read_blobs
from faultlens.rank import EXPLAINED_AT
from faultlens.templates import mine
from faultlens.unusual import error_lines

METADATA_FIELDS = ("host", "station", "started_at", "finished_at", "release", "result")
CAUSES_PER_RUN = 3
SIGNATURE_LINES = 5
ERROR_LIKE = 2.0  # unusual-line score of an error-like line


def discover(runs_dir: Path) -> list[Path]:
    """Every folder or tarball directly under RUNS_DIR, in name order."""
    return sorted(p for p in runs_dir.iterdir()
                  if not p.name.startswith(".") and (p.is_dir() or p.name.endswith((".tar", ".tar.gz", ".tgz"))))


def analyze(path: Path, kb) -> list[dict]:
    """The rows of one run: one per cause found (top first), or one saying it passed, was not
    explained, or could not be read."""
    base = {"run": path.name, "path": str(path), "kb_version": kb.version}
    try:
        blobs, problems = read_inputs([str(path)])
        if not blobs:
            reason = "; ".join(p.reason for p in problems) or "empty run"
            return [{**base, "status": "error", "error": reason}]
        run = read_blobs(blobs, problems)
        meta = {**_inferred(run), **_metadata(blobs)}
        if meta.get("result") == "pass":  # the baseline of the night: nothing to explain
            return [{**base, **{k: meta.get(k) for k in METADATA_FIELDS}, "status": "pass"}]
        result = explain_run(run, kb)
    except Exception as exc:  # noqa: BLE001 - one broken run never stops the night
        return [{**base, "status": "error", "error": f"{type(exc).__name__}: {exc}"}]
    base.update({k: meta.get(k) for k in METADATA_FIELDS})
    findings = [f for f in result.findings if f.confidence >= EXPLAINED_AT][:CAUSES_PER_RUN]
    if meta.get("result") == "pass" or (not findings and not _error_lines(result)):
        return [{**base, "status": "pass"}]
    if not findings:
        lines = _error_lines(result)[:SIGNATURE_LINES]
        return [{**base, "status": "unexplained", "signature": lines}]
    return [{**base, "status": "explained", "rank": rank, "cause": f.id, "confidence": f.confidence,
             "evidence_source": f.evidence[0].source if f.evidence else None,
             "evidence_line": f.evidence[0].line if f.evidence else None,
             "evidence_text": f.evidence[0].text[:500] if f.evidence else None}
            for rank, f in enumerate(findings, start=1)]


def _error_lines(result) -> list[str]:
    return [u.text for u in result.unusual_lines if u.score >= ERROR_LIKE]


def _metadata(blobs) -> dict:
    for blob in blobs:
        if blob.source.rsplit("/", 1)[-1].rsplit(":", 1)[-1] in ("run.yaml", "run.yml"):
            try:
                data = yaml.safe_load(blob.data.decode("utf-8", "replace"))
            except yaml.YAMLError:
                return {}
            if isinstance(data, dict):
                meta = {k: str(data[k]) for k in METADATA_FIELDS if data.get(k) is not None}
                for key in ("started_at", "finished_at"):
                    if key in meta:
                        meta[key] = _iso(meta[key])
                return {k: v for k, v in meta.items() if v}
    return {}


def _iso(text: str) -> str | None:
    """A time as naive UTC ISO text, or None when it is not one."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when.isoformat()


def _inferred(run: Run) -> dict:
    hosts: Counter = Counter()
    times = []
    for log in run.logs:
        lines = [t for _, t in log.lines()]
        for text in lines[:200]:
            host = line_host(text)
            if host:
                hosts[host] += 1
        for text in lines[:50] + lines[-50:]:
            when = line_time(text)
            if when is not None and when.year > 1900:  # syslog stamps carry no year: not used
                times.append(when)
    out = {}
    if hosts:
        out["host"] = hosts.most_common(1)[0][0]
    if times:
        out["started_at"], out["finished_at"] = min(times).isoformat(), max(times).isoformat()
    return out


EVERYDAY_SAMPLE = 200  # passing runs read to learn what every run prints


def everyday_sample(rows: list[dict]) -> list[str]:
    """The passing runs read to learn what every run prints: up to EVERYDAY_SAMPLE, spread."""
    passing = sorted({row["path"] for row in rows if row.get("status") == "pass"})
    step = max(1, len(passing) // EVERYDAY_SAMPLE)
    return passing[::step][:EVERYDAY_SAMPLE]


def everyday_lines(path: str, kb) -> list[str]:
    """The error-like lines a passing run prints."""
    blobs, problems = read_inputs([path])
    return [text for _, _, text in error_lines(read_blobs(blobs, problems).logs, kb.lexicon)]


def with_templates(rows: list[dict], everyday: list[str]) -> list[dict]:
    """Unexplained runs' signatures: each line with its template, mined over the whole night,
    and only the lines whose message passing runs do not print."""
    lines = [line for row in rows if row.get("status") == "unexplained" for line in row["signature"]]
    mined = mine(everyday + lines)
    common = set(mined.groups[:len(everyday)])
    groups = iter(mined.groups[len(everyday):])
    out = []
    for row in rows:
        if row.get("status") == "unexplained":
            kept = [(line, mined.templates[g]) for line, g in zip(row["signature"], groups) if g not in common]
            row = {**row, "signature": [line for line, _ in kept], "signature_templates": [t for _, t in kept]}
        out.append(row)
    return out
