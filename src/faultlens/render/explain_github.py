"""`explain --format github`: GitHub Actions workflow commands, one annotation per evidence line.

    ::error file=logs/station.log,line=160,title=umask-restrictive-package (0.99)::Release built ...

In a workflow step the annotations appear on the job's summary and, for files in the checkout,
beside the lines. Escaping follows the runner's rules (actions/toolkit `command.ts`): in the
message `%`, CR and LF are percent-encoded; in a property also `:` and `,`. Log text never
starts a workflow command of its own: a line break inside it is encoded, so every annotation is
one line and `::` in the text stays text.
"""

from __future__ import annotations

from faultlens.model import Evidence, Explanation, Finding
from faultlens.rank import EXPLAINED_AT
from faultlens.render import inert

MESSAGE_MAX = 4000  # characters of log text kept in one annotation


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: str | int | None) -> str:
    """One workflow command line: `::level k=v,k=v::message`."""
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items() if v not in (None, ""))
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def _annotation(f: Finding, e: Evidence, level: str) -> str:
    text = inert(e.text)
    if len(text) > MESSAGE_MAX:
        text = text[:MESSAGE_MAX] + "..."
    where = f" in {e.context}" if e.context else ""
    message = f"{f.title} [{e.signal}{where}]\n{text}"
    return command(level, message, file=None if e.source == "<stdin>" else e.source, line=e.line,
                   title=f"{f.id} (confidence {f.confidence:.2f})")


def render(result: Explanation, top: int) -> str:
    """An error per evidence line of each cause with real support, a warning for weaker ones, a
    notice for the lines that stand out when nothing is explained."""
    out = []
    shown = result.findings[:top]
    for f in shown:
        level = "error" if f.confidence >= EXPLAINED_AT else "warning"
        out += [_annotation(f, e, level) for e in f.evidence]
    if result.verdict != "explained":
        out.append(command("notice", "no known cause has real support" + (
            "; the lines that stand out follow" if result.unusual_lines else ""), title="faultlens found no known cause"))
        out += [command("notice", inert(u.text)[:MESSAGE_MAX], file=None if u.source == "<stdin>" else u.source,
                        line=u.line, title="a line that stands out") for u in result.unusual_lines]
    for i in result.inputs:
        out += [command("warning", p.reason, file=None if i.source == "<stdin>" else i.source, line=p.line,
                        title="faultlens could not read all of it") for p in i.problems]
    return "".join(line + "\n" for line in out)
