"""The terminal view (rich). Colour on a TTY; plain readable text when piped or with NO_COLOR.

Log text is always passed as rich Text, never as markup, and with control characters removed:
a log line cannot style or rewrite the on-call engineer's screen.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from faultlens.model import BaselineReport, Explanation, Finding
from faultlens.render import inert, where

PROBLEMS_SHOWN = 8


def render(result: Explanation, top: int, console: Console) -> None:
    shown = result.findings[:top]
    console.print(_headline(result, shown))
    if result.account.name or result.facts:
        who = result.account.name or "?"
        console.print(Text(f"service account: {who} ({result.account.how})", style="dim"))
    console.print()
    if result.verdict == "unexplained" and shown:
        console.print(Text("Possible causes, with weak evidence only:", style="bold"))
    for n, finding in enumerate(shown, 1):
        _finding(console, n, finding)
    if result.baseline is not None:
        _baseline(console, result.baseline)
    if result.unusual_lines:
        console.print(Text("Lines that stand out:", style="bold"))
        width = max(len(where(u.source, u.line)) for u in result.unusual_lines)
        for u in result.unusual_lines:
            console.print(Text(f"  {where(u.source, u.line):<{width}}  ", style="cyan") + Text(inert(u.text)))
        console.print()
    _problems(console, result)


def _baseline(console: Console, b: BaselineReport) -> None:
    console.print(Text(f"New since the passing run ({', '.join(b.sources)}):", style="bold"))
    for text, _count in b.changes:
        console.print(Text("  on disk: ") + Text(inert(text)))
    for u in b.new_lines:
        console.print(Text(f"  {where(u.source, u.line)}  ", style="cyan") + Text(inert(u.text)))
    if not b.changes and not b.new_lines:
        console.print(Text("  nothing: no new error-like line, no change on disk", style="dim"))
    if b.hits_seen_before:
        console.print(Text(f"  ({b.hits_seen_before} matching lines also occur in the passing run: not counted as evidence)", style="dim"))
    console.print()


def _headline(result: Explanation, shown: list[Finding]) -> Text:
    logs = sum(1 for i in result.inputs if i.kind == "log")
    snaps = sum(1 for i in result.inputs if i.kind == "snapshot")
    read = f"({logs} log{'s' * (logs != 1)}, {snaps} snapshot file{'s' * (snaps != 1)} read)"
    if result.verdict == "explained":
        return Text.assemble(("faultlens: ", "bold"), (shown[0].title, "bold green"),
                             f" (confidence {shown[0].confidence:.2f}) ", (read, "dim"))
    return Text.assemble(("faultlens: ", "bold"), ("unexplained", "bold yellow"),
                         ": no known cause has real support ", (read, "dim"))


def _finding(console: Console, n: int, f: Finding) -> None:
    console.print(Text.assemble((f"{n}. {f.id}", "bold"), f"  {f.title}  ",
                                (f"confidence {f.confidence:.2f}", _confidence_style(f.confidence))))
    console.print(Text("   ") + Text(inert(f.summary)))
    if f.evidence:
        console.print(Text("   evidence:", style="bold"))
        width = max(len(where(e.source, e.line)) for e in f.evidence)
        for e in f.evidence:
            first, *more = inert(e.text).split("\n")
            label = f"  [{e.signal}]" + (f" in {inert(e.context)}" if e.context else "")
            console.print(Text(f"     {where(e.source, e.line):<{width}}  ", style="cyan") + Text(first)
                          + Text(label, style="dim"))
            for line in more:
                console.print(Text(" " * (7 + width)) + Text(line))
    if f.against:
        console.print(Text("   against: " + ", ".join(sorted({e.signal for e in f.against})), style="dim"))
    if f.runbook:
        console.print(Text.assemble(("   runbook: ", "bold"), f.runbook.title,
                                    (f"   (faultlens runbook {f.runbook.id})", "dim")))
    if f.next_steps:
        console.print(Text("   next steps:", style="bold"))
        for step in f.next_steps:
            console.print(Text(f"     $ {inert(step)}"))
    console.print()


def _confidence_style(c: float) -> str:
    return "bold green" if c >= 0.8 else "yellow" if c >= 0.5 else "dim"


def _problems(console: Console, result: Explanation) -> None:
    problems = [p for i in result.inputs for p in i.problems]
    if not problems:
        return
    console.print(Text(f"Input problems ({len(problems)}):", style="bold"))
    for p in problems[:PROBLEMS_SHOWN]:
        console.print(Text(f"  {where(p.source, p.line)}: ", style="yellow") + Text(inert(p.reason)))
    if len(problems) > PROBLEMS_SHOWN:
        console.print(Text(f"  ... and {len(problems) - PROBLEMS_SHOWN} more (see --format json)", style="dim"))
