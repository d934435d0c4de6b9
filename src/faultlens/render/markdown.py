"""`--format markdown`: for pasting into a ticket. Log text only ever appears inside code."""

from __future__ import annotations

import re

from faultlens.model import Evidence, Explanation
from faultlens.render import inert, shown_blocks, where

NEW_LINES_SHOWN = 60  # of the baseline comparison's new lines (JSON has them all)
BLOCK_SHOWN = 20  # of one block of them

_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
_LINE_START = re.compile(r"^(\s*)([#+\->=]|\d+[.)])", re.M)


def escape(text: str) -> str:
    """Plain text that Markdown shows as it is: no links, HTML, emphasis, headings or lists."""
    text = _INLINE.sub(r"\\\1", inert(text))
    return _LINE_START.sub(lambda m: f"{m[1]}{m[2][:-1]}\\{m[2][-1]}", text)


def code_block(lines: list[str]) -> str:
    body = "\n".join(inert(line) for line in lines)
    fence = "```"
    while fence in body:
        fence += "`"
    return f"{fence}text\n{body}\n{fence}"


def _evidence_line(e: Evidence) -> str:
    head = where(e.source, e.line) + (f" ({e.context})" if e.context else "")
    return f"{head}  " + e.text.replace("\n", "\n" + " " * (len(head) + 2))


def render(result: Explanation, top: int) -> str:
    out = []
    shown = result.findings[:top]
    if result.verdict == "explained":
        out.append(f"## faultlens: {escape(shown[0].title)} (`{shown[0].id}`, confidence {shown[0].confidence:.2f})")
    else:
        out.append("## faultlens: unexplained, no known cause has real support")
    out.append("")
    if result.account.name:
        out.append(f"Service account: **{escape(result.account.name)}** ({escape(result.account.how)})")
        out.append("")
    for n, f in enumerate(shown, 1):
        out.append(f"### {n}. {escape(f.title)} (`{f.id}`, confidence {f.confidence:.2f})")
        out.append("")
        out.append(escape(f.summary))
        out.append("")
        if f.evidence:
            out.append("Evidence:")
            out.append("")
            out.append(code_block([_evidence_line(e) for e in f.evidence]))
            out.append("")
        if f.runbook:
            out.append(f"Runbook: {escape(f.runbook.title)} (`faultlens runbook {f.runbook.id}`)")
            out.append("")
        if f.next_steps:
            out.append("Next steps:")
            out.append("")
            out.append(code_block(list(f.next_steps)))
            out.append("")
    if result.baseline is not None:
        out.append("### New since the passing run")
        out.append("")
        out.extend(f"- on disk: {escape(text)}" for text, _ in result.baseline.changes)
        blocks, left = shown_blocks(list(result.baseline.new_lines), NEW_LINES_SHOWN, BLOCK_SHOWN)
        if blocks:
            text: list[str] = []
            for n, (block, cut) in enumerate(blocks):
                text += ["--"] * bool(n) + [f"{where(u.source, u.line)}  {u.text}" for u in block]
                text += [f"... {cut} more line{'s' * (cut != 1)} of this block"] * bool(cut)
            out.append("")
            out.append(code_block(text))
        if left:
            out.append("")
            out.append(f"{left} more new line{'s' * (left != 1)} in less likely blocks: `--format json` lists them all.")
        out.append("")
    if result.shows_unusual:
        out.append("### Lines that stand out")
        out.append("")
        out.append(code_block([f"{where(u.source, u.line)}  {u.text}" for u in result.unusual_lines]))
        out.append("")
    if result.hypotheses:
        out.append("### Not settled by the evidence")
        out.append("")
        out.extend(f"- `{h.id}`: {escape(h.title)}: `{h.check}`" for h in result.hypotheses)
        out.append("")
    problems = [p for i in result.inputs for p in i.problems]
    if problems:
        out.append("### Input problems")
        out.append("")
        out.extend(f"- {escape(where(p.source, p.line))}: {escape(p.reason)}" for p in problems)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def kb_table(causes) -> str:
    """`kb list --format markdown`: the causes as a Markdown table."""
    out = ["| cause | category | title | runbook |", "|---|---|---|---|"]
    out += [f"| `{c.id}` | {c.category} | {escape(c.title)} | `faultlens runbook {c.runbook}` |" for c in causes]
    return "\n".join(out) + "\n"
