"""Renderers for `faultlens check`: terminal, json (faultlens.check/1), junit, github
(workflow annotations) and sarif (2.1.0). FORMATTERS is the registry cli.py picks from."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import msgspec
from msgspec import Struct
from rich.console import Console
from rich.text import Text

from faultlens import __version__
from faultlens.check.rules import ALL_CHECKS, CheckGroup, CheckReport
from faultlens.render import inert, inert_line

SHOWN = 8  # entries listed per group in the terminal; JSON, JUnit and SARIF list them all
ANNOTATED = 20  # entries named in one GitHub annotation (GitHub shows 10 errors a step: one per check)
SCHEMA = "faultlens.check/1"
STYLE = {"error": "bold red", "warning": "yellow", "note": "cyan"}


def _entry_line(e) -> str:
    mode = f"{e.mode & 0o7777:04o}"
    target = f" -> {e.link_target}" if e.link_target else ""
    return f"{mode} {e.owner}:{e.group} {e.path}{target}"


def terminal(report: CheckReport, console: Console) -> None:
    errors = [g for g in report.groups if g.severity == "error"]
    verdict = (Text("would fail", style="bold red") if errors else Text("ok", style="bold green"))
    console.print(Text.assemble(("faultlens check: ", "bold"), f"{inert_line(report.target)} ({report.kind}, {report.checked} entries) ",
                                f"for {inert_line(report.user)}: ", verdict))
    for note in report.notes:
        console.print(Text(f"  {inert(note)}", style="dim"))
    console.print()
    for group in report.groups:
        style = STYLE[group.severity]
        console.print(Text.assemble((f"{group.severity.upper():<8}", style), (f"{group.check}: ", "bold"), inert_line(group.title)))
        for e in group.entries[:SHOWN]:
            console.print(Text(f"          {inert_line(_entry_line(e))}"))
        if len(group.entries) > SHOWN:
            console.print(Text(f"          ... and {len(group.entries) - SHOWN} more (--format json lists all)", style="dim"))
        console.print(Text(f"          fix: {inert_line(group.fix)}", style="dim"))
    for check, why in report.skipped:
        console.print(Text(f"SKIPPED {inert_line(check)}: {inert_line(why)}", style="dim"))
    if not any(g.severity != "note" for g in report.groups):
        console.print(Text("nothing would stop it: readable, traversable, executable where it should be", style="green"))


class EntryDoc(Struct):
    path: str
    type: str
    mode: str
    owner: str | None
    group: str | None
    link_target: str | None
    content: str | None  # what the first bytes say: elf-exec, elf-pie, elf-shared, elf-object, ar, script, plain


def _entry_doc(e, peeks) -> EntryDoc:
    peek = peeks.get(e.path)
    return EntryDoc(e.path, e.type, f"{e.mode & 0o7777:04o}", e.owner, e.group, e.link_target,
                    peek.kind if peek is not None else None)


def _group_doc(g: CheckGroup, peeks) -> dict:
    return {"check": g.check, "severity": g.severity, "title": g.title, "fix": g.fix, "count": len(g.entries),
            "entries": [_entry_doc(e, peeks) for e in g.entries]}


def as_json(report: CheckReport) -> str:
    """Every entry as laid out (path, type, mode, owner, group, link target, what its content is),
    the findings with their entries, and the checks that could not run. Encoded by msgspec: a
    100,000-entry release is 20 MB of JSON, which json.dumps takes seconds to write."""
    doc = {"schema": SCHEMA, "target": report.target, "kind": report.kind, "user": report.user,
           "result": "fail" if report.failed else "pass", "entries_checked": report.checked,
           "notes": list(report.notes), "findings": [_group_doc(g, report.peeks) for g in report.groups],
           "skipped": [{"check": c, "reason": r} for c, r in report.skipped],
           "entries": [_entry_doc(e, report.peeks) for e in report.entries]}
    return msgspec.json.format(msgspec.json.encode(doc), indent=2).decode() + "\n"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _x(text: str) -> str:
    """Text XML 1.0 can hold: the characters it forbids (file names may have them) become '?'."""
    return _NOT_XML.sub("?", text)


def as_junit(report: CheckReport) -> str:
    """One test case per check: a failure for each error, a skipped case for a check that cannot
    run on this input (a listing has no contents), warnings and notes as output of passing cases."""
    by_check = {g.check: g for g in report.groups}
    skipped = dict(report.skipped)
    timings = dict(report.timings)
    suite = ET.Element("testsuite", name=_x(f"faultlens check {report.target}"), tests=str(len(ALL_CHECKS)),
                       failures=str(sum(1 for g in report.groups if g.severity == "error")), errors="0",
                       skipped=str(sum(1 for c in ALL_CHECKS if c in skipped)), time=f"{report.seconds:.3f}")
    for check in ALL_CHECKS:
        case = ET.SubElement(suite, "testcase", classname=_x(f"faultlens.check.{report.user}"), name=check,
                             time=f"{timings.get(check, 0.0):.3f}")
        if check in skipped:
            ET.SubElement(case, "skipped", message=_x(skipped[check]))
            continue
        group = by_check.get(check)
        if group is None:
            continue
        listing = "\n".join(_entry_line(e) for e in group.entries) + f"\nfix: {group.fix}"
        if group.severity == "error":
            failure = ET.SubElement(case, "failure", message=_x(group.title), type=check)
            failure.text = _x(listing)
        else:
            out = ET.SubElement(case, "system-out")
            out.text = _x(f"{group.severity}: {group.title}\n{listing}")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"


def _gh_data(text: str) -> str:
    """A workflow command's message: %, CR and LF escaped (GitHub's toolkit escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    """A workflow command's property value: also ':' and ',' (toolkit escapeProperty)."""
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def _where(report: CheckReport, e) -> tuple[str, int | None]:
    """The file an annotation or a SARIF result points at, and its line: the entry itself for a
    directory, the listing's line for a listing, the package for a package."""
    at = e.at
    if report.kind == "listing" and at is not None:
        return at.source, at.line
    if report.kind == "directory" and at is not None:
        return at.source, None
    return report.target, None


GH_LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def as_github(report: CheckReport) -> str:
    """GitHub Actions workflow commands: one annotation per check found (file and line of its
    first entry), naming up to ANNOTATED entries; a summary notice last."""
    lines = []
    for g in report.groups:
        file, line = _where(report, g.entries[0]) if g.entries else (report.target, None)
        props = f"file={_gh_property(file)}" + (f",line={line}" if line else "") + f",title={_gh_property(f'faultlens check: {g.check}')}"
        shown = [inert_line(_entry_line(e)) for e in g.entries[:ANNOTATED]]  # a name's line break shown, not obeyed
        more = [f"... and {len(g.entries) - ANNOTATED} more (--format json lists all)"] if len(g.entries) > ANNOTATED else []
        message = "\n".join([inert_line(g.title), *shown, *more, f"fix: {g.fix}"])
        lines.append(f"::{GH_LEVEL[g.severity]} {props}::{_gh_data(message)}")
    verdict = "would fail" if report.failed else "ok"
    lines.append(f"::notice title={_gh_property('faultlens check')}::"
                 + _gh_data(f"{report.target} ({report.kind}, {report.checked} entries) for {report.user}: {verdict}"))
    return "\n".join(lines) + "\n"


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(path: str) -> str:
    return quote(path, safe="/")


def as_sarif(report: CheckReport) -> str:
    """SARIF 2.1.0: one rule per check, one result per entry (its file, and line for a listing);
    for a package the result points at the package and names the member."""
    rules = [{"id": c, "name": c.title().replace("-", ""), "shortDescription": {"text": c}} for c in ALL_CHECKS]
    index = {c: i for i, c in enumerate(ALL_CHECKS)}
    results = []
    for g in report.groups:
        for e in g.entries or ():
            file, line = _where(report, e)
            location = {"physicalLocation": {"artifactLocation": {"uri": _uri(file)}}}
            if line:
                location["physicalLocation"]["region"] = {"startLine": line}
            if file != e.path:
                location["logicalLocations"] = [{"fullyQualifiedName": e.path, "kind": "member"}]
            results.append({"ruleId": g.check, "ruleIndex": index[g.check], "level": g.severity,
                            "message": {"text": f"{g.title}: {_entry_line(e)} (fix: {g.fix})"}, "locations": [location]})
        if not g.entries:  # a finding about the whole release (restrictive-umask)
            results.append({"ruleId": g.check, "ruleIndex": index[g.check], "level": g.severity,
                            "message": {"text": f"{g.title} (fix: {g.fix})"},
                            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(report.target)}}}]})
    run = {"tool": {"driver": {"name": "faultlens", "version": __version__, "rules": rules}},
           "invocations": [{"executionSuccessful": True,
                            "toolExecutionNotifications": [{"level": "note", "message": {"text": f"{c} skipped: {r}"}}
                                                           for c, r in report.skipped]}],
           "results": results}
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False) + "\n"


FORMATTERS = {"json": as_json, "junit": as_junit, "github": as_github, "sarif": as_sarif}
