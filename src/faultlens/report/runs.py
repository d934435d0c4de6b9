"""One run of a night: find it, read its metadata, explain it, and turn the result into rows.

A run is a folder or a tarball directly under RUNS_DIR. Its optional `run.yaml` gives host,
station, started_at, finished_at, release and result; what is missing is inferred from the logs
where they say it (host from syslog-style lines, times from ISO time stamps) and otherwise left
empty, never invented.

Whoever writes RUNS_DIR (a test station, a service account) is not trusted with what the report
host can read: a run folder that is a symbolic link is not followed, a link inside a run is read
only when it stays inside RUNS_DIR, only regular files are opened (a FIFO would block the night),
and run.yaml is read with a loader that refuses YAML aliases, with every field cut to a bound.
"""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import yaml

from faultlens.ingest.sources import read_inputs
from faultlens.model import Problem
from faultlens.parse.logs import line_host, line_time
from faultlens.pipeline import Run, explain_run, read_blobs
from faultlens.rank import EXPLAINED_AT
from faultlens.render.json_out import document
from faultlens.templates import mine
from faultlens.unusual import error_lines

METADATA_FIELDS = ("host", "station", "started_at", "finished_at", "release", "result")
RUN_YAML = ("run.yaml", "run.yml")
TARBALLS = (".tar", ".tar.gz", ".tgz")
CAUSES_PER_RUN = 3
SIGNATURE_LINES = 5
ERROR_LIKE = 2.0  # unusual-line score of an error-like line
MAX_RUN_YAML = 64 << 10  # a run.yaml holds six short fields: anything bigger is not metadata
MAX_FIELD = 200  # characters kept of one metadata field (a host name, a release...)
MAX_LINE = 500  # characters kept of one evidence or signature line
EXPLAIN_TOP = 5  # causes in a run's own explanation, as `faultlens explain` shows by default


def discover(runs_dir: Path) -> list[Path]:
    """Every folder or tarball directly under RUNS_DIR, in name order. Symbolic links and
    entries that are not regular files are listed too (when they look like runs), so that the
    report says it did not read them, but nothing is opened here."""
    found = []
    for p in runs_dir.iterdir():
        if p.name.startswith("."):
            continue
        try:
            mode = p.lstat().st_mode
            target = p.stat().st_mode if stat.S_ISLNK(mode) else mode  # stat never blocks on a FIFO
        except OSError:
            target = 0
        if stat.S_ISDIR(target) or p.name.endswith(TARBALLS):
            found.append(p)
    return sorted(found)


def refusal(path: Path) -> str | None:
    """Why a run is not read, or None: links and special files are never opened."""
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    if stat.S_ISLNK(mode):
        return "a symbolic link: not followed (a run must be a folder or tarball inside the runs folder)"
    if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
        return "not a regular file or folder (a FIFO, socket or device): not read"
    return None


def run_files(run_dir: Path, root: Path) -> tuple[list[str], list[Problem]]:
    """The regular files of one run folder, in sorted order, as paths to read; links that leave
    `root` and special files become problems. Folders are walked with an explicit stack: no
    recursion limit, symbolic links to folders never entered."""
    files: list[str] = []
    problems: list[Problem] = []
    top = os.path.realpath(root)
    stack = [str(run_dir)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(folder, f"cannot list directory: {exc.strerror or exc}"))
            continue
        subfolders = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(entry.path)
                elif entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    if os.path.commonpath([top, target]) != top:
                        problems.append(Problem(entry.path, "symbolic link to outside the runs folder: not read"))
                    elif not os.path.exists(target):
                        problems.append(Problem(entry.path, "dangling symlink"))
                    elif stat.S_ISREG(os.stat(target).st_mode):
                        files.append(entry.path)
                    elif not stat.S_ISDIR(os.stat(target).st_mode):
                        problems.append(Problem(entry.path, "not a regular file: not read"))
                elif entry.is_file(follow_symlinks=False):
                    files.append(entry.path)
                else:
                    problems.append(Problem(entry.path, "not a regular file (a FIFO, socket or device): not read"))
            except OSError as exc:
                problems.append(Problem(entry.path, f"cannot read: {exc.strerror or exc}"))
        stack.extend(reversed(subfolders))
    return files, problems


def read_run(path: Path):
    """Blobs and problems of one run: a tarball as it is, a folder file by file (run_files)."""
    if path.is_dir():
        files, refused = run_files(path, path.parent)
        blobs, problems = read_inputs(files)
        return blobs, refused + problems
    return read_inputs([str(path)])


def analyze(path: Path, kb) -> list[dict]:
    """The rows of one run: one per cause found (top first), or one saying it passed, was not
    explained, or could not be read."""
    base = {"run": path.name, "path": str(path), "kb_version": kb.version}
    refused = refusal(path)
    if refused:
        return [{**base, "status": "error", "error": refused}]
    try:
        blobs, problems = read_run(path)
        if not blobs:
            reason = "; ".join(p.reason for p in problems) or "empty run"
            return [{**base, "status": "error", "error": reason[:MAX_LINE]}]
        run = read_blobs(blobs, problems)
        given, notes = _metadata(blobs)
        meta = {**_inferred(run), **given}
        base.update({k: meta.get(k) for k in METADATA_FIELDS})
        if notes:
            base["problems"] = notes
        if meta.get("result") == "pass":  # the baseline of the night: nothing to explain
            return [{**base, "status": "pass"}]
        result = explain_run(run, kb)
    except Exception as exc:  # noqa: BLE001 - one broken run never stops the night
        return [{**base, "status": "error", "error": f"{type(exc).__name__}: {exc}"[:MAX_LINE]}]
    findings = [f for f in result.findings if f.confidence >= EXPLAINED_AT][:CAUSES_PER_RUN]
    if not findings and not _error_lines(result):
        return [{**base, "status": "pass"}]
    explanation = json.dumps(document(result, EXPLAIN_TOP), ensure_ascii=False)
    if not findings:
        lines = [line[:MAX_LINE] for line in _error_lines(result)[:SIGNATURE_LINES]]
        return [{**base, "status": "unexplained", "signature": lines, "explanation": explanation}]
    return [{**base, "status": "explained", "rank": rank, "cause": f.id, "confidence": f.confidence,
             "evidence_source": f.evidence[0].source if f.evidence else None,
             "evidence_line": f.evidence[0].line if f.evidence else None,
             "evidence_text": f.evidence[0].text[:MAX_LINE] if f.evidence else None,
             **({"explanation": explanation} if rank == 1 else {})}
            for rank, f in enumerate(findings, start=1)]


def _error_lines(result) -> list[str]:
    return [u.text for u in result.unusual_lines if u.score >= ERROR_LIKE]


class RunYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases (one anchor can expand into gigabytes: a 409-byte
    "billion laughs" is enough) and without implicit time stamps (an impossible date such as
    2026-02-30 raises ValueError in the constructor); times stay text and are checked here."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in run.yaml",
                                              event.start_mark)
        return super().compose_node(parent, index)


RunYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def run_metadata(data: bytes, name: str = "run.yaml") -> tuple[dict[str, str], list[str]]:
    """The metadata fields of one run.yaml, and what was wrong with it: each problem concerns
    one field (or the file), and never makes the run unreadable."""
    if len(data) > MAX_RUN_YAML:
        return {}, [f"{name}: larger than {MAX_RUN_YAML >> 10} KiB: not read"]
    try:
        doc = yaml.load(data.decode("utf-8", "replace"), Loader=RunYamlLoader)  # noqa: S506 - a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1})" if mark else ""
        return {}, [f"{name}: not valid YAML{where}: {exc.problem or exc.context}"[:MAX_LINE]]
    except RecursionError:
        return {}, [f"{name}: nested too deeply: not read"]
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        return {}, [f"{name}: not valid YAML: {type(exc).__name__}: {exc}"[:MAX_LINE]]
    if doc is None:
        return {}, []
    if not isinstance(doc, dict):
        return {}, [f"{name}: not a mapping of fields (host: ..., release: ...): not used"]
    meta: dict[str, str] = {}
    notes: list[str] = []
    for key in METADATA_FIELDS:
        value = doc.get(key)
        if value is None:
            continue
        if isinstance(value, (dict, list, set, bytes)):
            notes.append(f"{name}: {key}: not a single value: not used")
            continue
        text = str(value).strip()
        if len(text) > MAX_FIELD:
            notes.append(f"{name}: {key}: longer than {MAX_FIELD} characters: cut")
            text = text[:MAX_FIELD] + "…"
        if key in ("started_at", "finished_at") and text:
            when = _iso(text)
            if when is None:
                notes.append(f"{name}: {key}: not a time: {text[:60]!r}")
                continue
            text = when
        if text:
            meta[key] = text
    return meta, notes


def _metadata(blobs) -> tuple[dict[str, str], list[str]]:
    for blob in blobs:
        base = blob.source.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        if base in RUN_YAML:
            return run_metadata(blob.data, base)
    return {}, []


def _iso(text: str) -> str | None:
    """A time as naive UTC ISO text, or None when it is not one."""
    try:
        when = datetime.fromisoformat(text.strip())
        if when.tzinfo is not None:
            when = when.astimezone(timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None
    return when.isoformat()


def _inferred(run: Run) -> dict:
    hosts: Counter = Counter()
    times = []
    for log in run.logs:
        lines = [t for _, t in log.lines()]
        for text in lines[:200]:
            host = line_host(text)
            if host:
                hosts[host[:MAX_FIELD]] += 1
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
EVERYDAY_LINES = 50_000  # error-like lines of passing runs mined in the parent, all runs together
EVERYDAY_PER_RUN = 1_000  # and at most this many distinct lines of one run


def everyday_sample(rows: list[dict]) -> list[str]:
    """The passing runs read to learn what every run prints: up to EVERYDAY_SAMPLE, spread."""
    passing = sorted({row["path"] for row in rows if row.get("status") == "pass"})
    step = max(1, len(passing) // EVERYDAY_SAMPLE)
    return passing[::step][:EVERYDAY_SAMPLE]


def everyday_cap(runs: int) -> int:
    """Distinct lines kept of one passing run when `runs` are read: the parent mines at most
    EVERYDAY_LINES, whatever the runs print."""
    return max(1, min(EVERYDAY_PER_RUN, EVERYDAY_LINES // max(1, runs)))


def everyday_lines(path: str, kb, cap: int = EVERYDAY_PER_RUN) -> list[str]:
    """The first `cap` distinct error-like lines a passing run prints, each cut to MAX_LINE; none
    when the run cannot be read now (it was read a moment ago: a baseline is not worth a night)."""
    try:
        blobs, problems = read_run(Path(path))
        found = error_lines(read_blobs(blobs, problems).logs, kb.lexicon)
    except Exception:  # noqa: BLE001 - one broken run never stops the night
        return []
    kept: dict[str, None] = {}
    for _, _, text in found:
        kept.setdefault(text[:MAX_LINE])
        if len(kept) >= cap:
            break
    return list(kept)


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
