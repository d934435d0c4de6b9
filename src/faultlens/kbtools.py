"""`faultlens kb lint` and `kb test`: checking the knowledge base itself."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import yaml
from msgspec import Struct

from faultlens.ingest.sources import Blob, InputError, read_inputs
from faultlens.kb.patterns import PatternError, check_pattern
from faultlens.kb.loader import load_kb
from faultlens.kb.model import Cause, Example, KnowledgeBase
from faultlens.pipeline import explain_blobs
from faultlens.rank import EXPLAINED_AT
from faultlens.runbooks import RunbookError, read_runbook
from faultlens.templates import WILDCARD

MIN_POSITIVE, MIN_NEGATIVE = 3, 2


class LintMessage(Struct, frozen=True):
    level: str  # error | warning
    text: str  # "path:line: what is wrong"


TOO_BROAD = 0.5  # share of a passing run's lines a pattern may match before it is an error
BROAD = 0.05  # ...and before it is worth a warning


def lint(extra_dirs: list[str], passing: list[str] | None = None) -> list[LintMessage]:
    """Schema, pattern syntax, runbooks, duplicate ids, examples; with logs of passing runs, the
    patterns that match too much of them."""
    errors: list[str] = []
    kb = load_kb(extra_dirs, errors=errors)
    out = [LintMessage("error", e) for e in errors]
    books = {}
    for folder in kb.runbook_dirs:  # a later folder overrides an earlier one by id, as load_runbooks does
        for path in sorted(Path(folder).glob("*.md")):
            try:
                book = read_runbook(path)
            except (RunbookError, OSError, UnicodeDecodeError, ValueError) as exc:
                out.append(LintMessage("error", str(exc) if isinstance(exc, RunbookError) else f"{path}: cannot read: {exc}"))
                continue
            books[book.id] = book
    for cause in kb.causes.values():
        if cause.runbook not in books:
            out.append(LintMessage("error", f"{cause.path}: runbook {cause.runbook!r} not found (runbooks/{cause.runbook}.md)"))
        pos = sum(1 for e in cause.examples if e.positive)
        neg = len(cause.examples) - pos
        if pos < MIN_POSITIVE or neg < MIN_NEGATIVE:
            out.append(LintMessage("warning", f"{cause.path}: {pos} positive and {neg} negative examples "
                                              f"(want at least {MIN_POSITIVE} and {MIN_NEGATIVE})"))
    return out + (_breadth(kb, passing) + _false_alarms(kb, passing) if passing else [])


def _breadth(kb: KnowledgeBase, passing: list[str]) -> list[LintMessage]:
    from faultlens.kb.patterns import compile_pattern
    from faultlens.pipeline import read_blobs

    blobs, _ = read_inputs(passing)
    lines = [t.encode() for log in read_blobs(blobs, []).logs for _, t in log.lines() if t.strip()]
    if not lines:
        return [LintMessage("warning", f"no log lines in {', '.join(passing)} to measure pattern breadth")]
    where = {s.pattern.key: (c.path, s.line) for c in kb.causes.values() for s in c.signals if s.pattern is not None}
    out = []
    for pattern in kb.patterns():
        regex = compile_pattern(pattern.regex)
        share = sum(1 for line in lines if regex.search(line)) / len(lines)
        if share >= BROAD:
            path, line = where[pattern.key]
            level = "error" if share >= TOO_BROAD else "warning"
            out.append(LintMessage(level, f"{path}:{line}: pattern {pattern.key!r} matches {share:.0%} of "
                                          f"{len(lines)} lines of passing runs: too broad"))
    return out


def _false_alarms(kb: KnowledgeBase, passing: list[str]) -> list[LintMessage]:
    """Every cause that reaches real support on a passing run's log is an error: a confident
    answer where nothing failed."""
    out = []
    blobs, _ = read_inputs(passing)
    for blob in blobs:
        result = explain_blobs([blob], [], kb)
        for f in result.findings:
            if f.confidence >= EXPLAINED_AT:
                where = f"{f.evidence[0].source}:{f.evidence[0].line}" if f.evidence else blob.source
                out.append(LintMessage("error", f"{kb.causes[f.id].path}: {f.id} reaches {f.confidence} on a passing "
                                                f"run ({where}): {f.evidence[0].text[:120] if f.evidence else ''}"))
    return out


class ExampleResult(Struct, frozen=True):
    cause: Cause
    example: Example
    passed: bool
    got: list[tuple[str, float]]  # the causes faultlens reported, best first


def run_example(kb: KnowledgeBase, cause: Cause, example: Example) -> ExampleResult:
    """A positive example must put its cause first; a negative one must not have it first."""
    blobs = [Blob(name, text.encode()) for name, text in example.inputs.items()]
    result = explain_blobs(blobs, [], kb, example.user)
    got = [(f.id, f.confidence) for f in result.findings]
    confidence = dict(got).get(cause.id, 0.0)
    if example.positive:  # first, and with real support: what makes the verdict "explained"
        passed = bool(got) and got[0][0] == cause.id and confidence >= EXPLAINED_AT
    else:
        passed = confidence < EXPLAINED_AT
    return ExampleResult(cause, example, passed, got)


def run_examples(kb: KnowledgeBase, only: str | None = None) -> list[ExampleResult]:
    return [run_example(kb, cause, ex) for cause in kb.causes.values() if only in (None, cause.id)
            for ex in cause.examples]


_META = re.compile(r"([.^$*+?()\[\]{}|\\])")


def template_regex(template: str) -> str:
    """A mined template ("checksum <*> rejected by <*>") as a pattern for its lines: a value is
    any text (a date or a size with its unit is one value), spaces are any run of them."""
    words = [_META.sub(r"\\\1", part) for part in template.split(WILDCARD)]
    return ".*?".join(words).replace(" ", r"\s+")


def draft_from_cluster(report_dir: str, cluster: str, cid: str | None = None) -> tuple[str, str]:
    """A draft cause YAML and its runbook stub (Markdown) from a cluster of unexplained failures
    in a report's summary.json. `cid` names the cause (default: from the cluster's words)."""
    path = os.path.join(report_dir, "summary.json")
    try:
        with open(path, encoding="utf-8") as fh:
            summary = json.load(fh)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the report summary ({exc})") from None
    clusters = summary.get("clusters", []) if isinstance(summary, dict) else None
    if not isinstance(clusters, list) or not all(isinstance(c, dict) for c in clusters):
        raise InputError(f"{path}: not a faultlens report summary ('clusters' must be a list of clusters)")
    found = next((c for c in clusters if c.get("id") == cluster), None)
    if found is None:
        known = ", ".join(str(c.get("id", "?")) for c in clusters) or "none"
        raise InputError(f"{path}: no cluster {cluster!r} (clusters: {known})")
    runs = found.get("runs")
    if not (isinstance(found.get("template"), str) and isinstance(found.get("example"), str)
            and isinstance(runs, list) and runs and all(isinstance(r, str) for r in runs)):
        raise InputError(f"{path}: cluster {cluster!r} lacks its template, example or runs")
    pattern = template_regex(found["template"])
    try:
        check_pattern(pattern)
    except PatternError as exc:
        raise InputError(f"{path}: cluster {cluster!r}: its template gives no usable pattern ({exc})") from None
    words = [w for w in re.findall(r"[a-z]+", found["template"].lower()) if len(w) > 2][:4]
    cid = cid or "-".join(["draft"] + words)
    runs = f"{', '.join(found['runs'][:5])}{', ...' if len(found['runs']) > 5 else ''}"
    cause = yaml.safe_dump({
        "id": cid,
        "title": "TODO: what went wrong, in a few words",
        "category": "environment",
        "summary": f"TODO. Drafted from cluster {cluster} of the report in {report_dir}: {found.get('count', len(runs))} runs "
                   f"({', '.join(found['runs'][:5])}{', ...' if len(found['runs']) > 5 else ''}).",
        "runbook": cid,
        "signals": [{"id": "signature", "log": pattern, "weight": 0.8}],
        "next_steps": ["TODO: the first command to run"],
        "examples": {"positive": [{"name": f"from run {found['runs'][0]}", "log": found["example"]}],
                     "negative": []},
    }, sort_keys=False, allow_unicode=True, width=120)
    runbook = (f"---\nid: {cid}\ntitle: \"TODO: what to do about it\"\nkeywords: [{', '.join(words)}]\n---\n"
               f"TODO: what this failure means, drafted from cluster {cluster} ({found['count']} runs: {runs}).\n\n"
               "## Symptoms\n\n```text\n" + found["example"].rstrip("\n") + "\n```\n\n"
               "## Why it happens\n\nTODO\n\n## Fix\n\nTODO\n")
    return cause, runbook


def kb_root(cause_file: str) -> str:
    """The knowledge-base folder a cause file belongs to (its folder, or the parent of causes/)."""
    folder = os.path.dirname(os.path.abspath(cause_file))
    return os.path.dirname(folder) if os.path.basename(folder) == "causes" else folder


def write_atomically(path: str, text: str) -> None:
    """Write a whole file or nothing, creating its folder; its mode is what the umask makes of
    0666 (0644 under umask 022), as for any file an editor or shell would create."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        tmp = os.path.join(folder, f".faultlens-{os.getpid()}-{os.urandom(4).hex()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the kernel applies the umask
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
