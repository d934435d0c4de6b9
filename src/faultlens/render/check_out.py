"""Renderers for `faultlens check`: terminal, json (faultlens.check/1), junit."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from rich.console import Console
from rich.text import Text

from faultlens.check.rules import CheckGroup, CheckReport
from faultlens.render import inert, inert_line

SHOWN = 8  # entries listed per group in the terminal; JSON and JUnit list them all
SCHEMA = "faultlens.check/1"


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
        style = "bold red" if group.severity == "error" else "yellow"
        console.print(Text.assemble((f"{group.severity.upper():<8}", style), (f"{group.check}: ", "bold"), inert_line(group.title)))
        for e in group.entries[:SHOWN]:
            console.print(Text(f"          {inert_line(_entry_line(e))}"))
        if len(group.entries) > SHOWN:
            console.print(Text(f"          ... and {len(group.entries) - SHOWN} more (--format json lists all)", style="dim"))
        console.print(Text(f"          fix: {inert_line(group.fix)}", style="dim"))
    if not report.groups:
        console.print(Text("nothing would stop it: readable, traversable, executable where it should be", style="green"))


def _group_doc(g: CheckGroup) -> dict:
    return {"check": g.check, "severity": g.severity, "title": g.title, "fix": g.fix, "count": len(g.entries),
            "entries": [{"path": e.path, "type": e.type, "mode": f"{e.mode & 0o7777:04o}", "owner": e.owner,
                         "group": e.group, "link_target": e.link_target} for e in g.entries]}


def as_json(report: CheckReport) -> str:
    return json.dumps({"schema": SCHEMA, "target": report.target, "kind": report.kind, "user": report.user,
                       "result": "fail" if report.failed else "pass", "entries_checked": report.checked,
                       "notes": list(report.notes), "findings": [_group_doc(g) for g in report.groups]},
                      indent=2, ensure_ascii=False) + "\n"


ALL_CHECKS = ("untraversable", "unreadable", "restrictive-umask", "exec-bit", "crlf", "symlink-dangling", "path-escape",
              "personal-owner", "world-writable", "setuid", "symlink-outside")


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _x(text: str) -> str:
    """Text XML 1.0 can hold: the characters it forbids (file names may have them) become '?'."""
    return _NOT_XML.sub("?", text)


def as_junit(report: CheckReport) -> str:
    """One test case per check: a failure for each error, the warnings as output of passing cases."""
    by_check = {g.check: g for g in report.groups}
    suite = ET.Element("testsuite", name=_x(f"faultlens check {report.target}"), tests=str(len(ALL_CHECKS)),
                       failures=str(sum(1 for g in report.groups if g.severity == "error")), errors="0", skipped="0")
    for check in ALL_CHECKS:
        case = ET.SubElement(suite, "testcase", classname=_x(f"faultlens.check.{report.user}"), name=check)
        group = by_check.get(check)
        if group is None:
            continue
        listing = "\n".join(_entry_line(e) for e in group.entries) + f"\nfix: {group.fix}"
        if group.severity == "error":
            failure = ET.SubElement(case, "failure", message=_x(group.title), type=check)
            failure.text = _x(listing)
        else:
            out = ET.SubElement(case, "system-out")
            out.text = _x(f"warning: {group.title}\n{listing}")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
