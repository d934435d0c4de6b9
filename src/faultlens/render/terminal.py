"""The terminal view. Colour on a TTY (rich); plain text when piped, without importing rich.

The view is built once as lines of (text, style) segments; a sink prints them. Log text is
always a plain segment, never markup, and with control characters removed: a log line cannot
style or rewrite the on-call engineer's screen.
"""

from __future__ import annotations

import sys
from typing import TextIO

from faultlens.model import BaselineReport, Explanation, Finding
from faultlens.render import console, inert, inert_line, shown_blocks, where

PROBLEMS_SHOWN = 8
NEW_LINES_SHOWN = 40  # of the baseline comparison's new lines (JSON has them all)
BLOCK_SHOWN = 12  # of one block of them

Segment = tuple[str, str | None]  # text, rich style (None: plain)
Line = list[Segment]


def render(result: Explanation, top: int, stream: TextIO | None = None, color: bool | None = None) -> None:
    """Print the explanation: with rich's colours on a terminal (or where `color` says so), as
    plain text otherwise."""
    stream = stream or sys.stdout
    lines = view(result, top)
    if stream.isatty() if color is None else color:
        from rich.text import Text

        out = console(stream, color=True)
        for line in lines:
            out.print(Text.assemble(*line))
    else:
        stream.write("".join("".join(text for text, _ in line).expandtabs(8) + "\n" for line in lines))


def view(result: Explanation, top: int) -> list[Line]:
    out: list[Line] = []
    shown = result.findings[:top]
    out.append(_headline(result, shown))
    if result.account.name or result.facts:
        out.append([(f"service account: {inert_line(result.account.name or '?')} ({inert_line(result.account.how)})", "dim")])
    out.append([])
    if result.verdict == "unexplained" and shown:
        out.append([("Possible causes, with weak evidence only:", "bold")])
    for n, finding in enumerate(shown, 1):
        out += _finding(n, finding)
    if result.baseline is not None:
        out += _baseline(result.baseline)
    if result.shows_unusual:
        out.append([("Lines that stand out:", "bold")])
        width = max(len(where(u.source, u.line)) for u in result.unusual_lines)
        out += [[(f"  {where(u.source, u.line):<{width}}  ", "cyan"), (inert(u.text), None)] for u in result.unusual_lines]
        out.append([])
    if result.hypotheses:
        out.append([("Not settled by the evidence; what could still be behind it, and how to tell:", "bold")])
        for h in result.hypotheses:
            out.append([(f"  {h.id:<24} ", "cyan"), (inert(h.title), None)])
            out.append([("      $ ", "dim"), (inert(h.check), None)])
        out.append([])
    out += _problems(result)
    return out


def _baseline(b: BaselineReport) -> list[Line]:
    out: list[Line] = [[(f"New since the passing run ({', '.join(map(inert_line, b.sources))}):", "bold")]]
    out += [[("  on disk: ", None), (inert(text), None)] for text, _count in b.changes]
    blocks, left = shown_blocks(list(b.new_lines), NEW_LINES_SHOWN, BLOCK_SHOWN)
    for n, (block, cut) in enumerate(blocks):
        if n:
            out.append([("  --", "dim")])
        out += [[(f"  {where(u.source, u.line)}  ", "cyan"), (inert(u.text), None)] for u in block]
        if cut:
            out.append([(f"  ... {cut} more line{'s' * (cut != 1)} of this block", "dim")])
    if left:
        out.append([(f"  ... {left} more new line{'s' * (left != 1)} in less likely blocks (--format json lists them all)", "dim")])
    if not b.changes and not b.new_lines:
        out.append([("  nothing: no new error block, no change on disk", "dim")])
    if b.hits_seen_before:
        out.append([(f"  ({b.hits_seen_before} matching lines also occur in the passing run: not counted as evidence)", "dim")])
    return out + [[]]


def _headline(result: Explanation, shown: list[Finding]) -> Line:
    logs = sum(1 for i in result.inputs if i.kind == "log")
    snaps = sum(1 for i in result.inputs if i.kind == "snapshot")
    read = f"({logs} log{'s' * (logs != 1)}, {snaps} snapshot file{'s' * (snaps != 1)} read)"
    if result.verdict == "explained":
        return [("faultlens: ", "bold"), (inert_line(shown[0].title), "bold green"),
                (f" (confidence {shown[0].confidence:.2f}) ", None), (read, "dim")]
    return [("faultlens: ", "bold"), ("unexplained", "bold yellow"), (": no known cause has real support ", None),
            (read, "dim")]


def _finding(n: int, f: Finding) -> list[Line]:
    out: list[Line] = [[(f"{n}. {f.id}", "bold"), (f"  {inert_line(f.title)}  ", None),
                        (f"confidence {f.confidence:.2f}", _confidence_style(f.confidence))],
                       [("   ", None), (inert(f.summary), None)]]
    if f.evidence:
        out.append([("   evidence:", "bold")])
        width = max(len(where(e.source, e.line)) for e in f.evidence)
        for e in f.evidence:
            first, *more = inert(e.text).split("\n")
            label = f"  [{e.signal}]" + (f" in {inert_line(e.context)}" if e.context else "")
            out.append([(f"     {where(e.source, e.line):<{width}}  ", "cyan"), (first, None), (label, "dim")])
            out += [[(" " * (7 + width), None), (line, None)] for line in more]
    if f.against:
        out.append([("   against: " + ", ".join(sorted({e.signal for e in f.against})), "dim")])
    if f.runbook:
        out.append([("   runbook: ", "bold"), (inert_line(f.runbook.title), None), (f"   (faultlens runbook {f.runbook.id})", "dim")])
    if f.next_steps:
        out.append([("   next steps:", "bold")])
        out += [[(f"     $ {inert_line(step)}", None)] for step in f.next_steps]
    return out + [[]]


def _confidence_style(c: float) -> str:
    return "bold green" if c >= 0.8 else "yellow" if c >= 0.5 else "dim"


def _problems(result: Explanation) -> list[Line]:
    problems = [p for i in result.inputs for p in i.problems]
    if not problems:
        return []
    out: list[Line] = [[(f"Input problems ({len(problems)}):", "bold")]]
    out += [[(f"  {where(p.source, p.line)}: ", "yellow"), (inert(p.reason), None)] for p in problems[:PROBLEMS_SHOWN]]
    if len(problems) > PROBLEMS_SHOWN:
        out.append([(f"  ... and {len(problems) - PROBLEMS_SHOWN} more (see --format json)", "dim")])
    return out
