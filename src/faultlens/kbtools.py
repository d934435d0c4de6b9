"""`faultlens kb lint` and `kb test`: checking the knowledge base itself."""

from __future__ import annotations

from dataclasses import dataclass

from faultlens.ingest.sources import Blob
from faultlens.kb.loader import load_kb
from faultlens.kb.model import Cause, Example, KnowledgeBase
from faultlens.pipeline import explain_blobs
from faultlens.rank import REPORT_AT
from faultlens.runbooks import RunbookError, load_runbooks

MIN_POSITIVE, MIN_NEGATIVE = 3, 2


@dataclass(frozen=True)
class LintMessage:
    level: str  # error | warning
    text: str  # "path:line: what is wrong"


def lint(extra_dirs: list[str]) -> list[LintMessage]:
    errors: list[str] = []
    kb = load_kb(extra_dirs, errors=errors)
    out = [LintMessage("error", e) for e in errors]
    try:
        books = load_runbooks(kb.runbook_dirs)
    except RunbookError as exc:
        return out + [LintMessage("error", str(exc))]
    for cause in kb.causes.values():
        if cause.runbook not in books:
            out.append(LintMessage("error", f"{cause.path}: runbook {cause.runbook!r} not found (runbooks/{cause.runbook}.md)"))
        pos = sum(1 for e in cause.examples if e.positive)
        neg = len(cause.examples) - pos
        if pos < MIN_POSITIVE or neg < MIN_NEGATIVE:
            out.append(LintMessage("warning", f"{cause.path}: {pos} positive and {neg} negative examples "
                                              f"(want at least {MIN_POSITIVE} and {MIN_NEGATIVE})"))
    return out


@dataclass(frozen=True)
class ExampleResult:
    cause: Cause
    example: Example
    passed: bool
    got: list[tuple[str, float]]  # the causes faultlens reported, best first


def run_example(kb: KnowledgeBase, cause: Cause, example: Example) -> ExampleResult:
    """A positive example must put its cause first; a negative one must not have it first."""
    blobs = [Blob(name, text.encode()) for name, text in example.inputs.items()]
    result = explain_blobs(blobs, [], kb, example.user)
    got = [(f.id, f.confidence) for f in result.findings]
    first = got[0][0] if got and got[0][1] >= REPORT_AT else None
    passed = first == cause.id if example.positive else first != cause.id
    return ExampleResult(cause, example, passed, got)


def run_examples(kb: KnowledgeBase, only: str | None = None) -> list[ExampleResult]:
    return [run_example(kb, cause, ex) for cause in kb.causes.values() if only in (None, cause.id)
            for ex in cause.examples]
