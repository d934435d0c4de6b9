"""report.md: the night in Markdown, for chat or email. Log text only inside code spans/blocks."""

from __future__ import annotations

from faultlens.render.markdown import code_block, escape

TOP_PLACES = 10


def correlation(row: dict) -> str:
    """"all 37 failures of X began after release R appeared; 0 before"."""
    cause, release, runs, first = row["cause"], row["release"], row["runs"], row.get("release_first_seen")
    failures = "the only failure" if runs == 1 else f"{runs} failures"
    if not first:
        return f"{failures} of {cause} ran release {release}; when it first appeared is not known"
    if not row.get("release_is_new"):
        return f"{failures} of {cause} ran release {release}, on the floor since the first run of the report"
    if row["before"] == 0:
        every = "" if runs == 1 else "all "
        return f"{every}{failures} of {cause} began after release {release} appeared ({first}); 0 before"
    return f"{row['after']} of {runs} failures of {cause} came after release {release} appeared ({first}); {row['before']} before"


def changes_lines(changes: dict) -> list[str]:
    if changes.get("previous") is None:
        return ["first report in this folder: nothing to compare with"]
    before = changes.get("counts_before", {})
    out = [f"new: {c}" for c in changes["new"]]
    out += [f"grew: {c} (was {before.get(c, 0)})" for c in changes["grew"]]
    out += [f"gone: {c} (was {before.get(c, 0)})" for c in changes["gone"]]
    return out or [f"nothing new since {changes['previous']}"]


def render(summary: dict) -> str:
    t = summary["totals"]
    out = [f"# faultlens night report ({escape(summary['generated_at'])})", "",
           f"{t['runs']} runs: {t['failing']} failed ({t['explained']} explained, {t['unexplained']} unexplained), "
           f"{t['passed']} passed, {t['errors']} could not be read.", "", "## Failures by cause", "",
           "| cause | runs | share | hosts | first seen | last seen |", "|---|---|---|---|---|---|"]
    for r in summary["by_cause"]:
        out.append(f"| `{r['cause']}` | {r['runs']} | {r['share']:.0%} | {r['hosts']} | {r['first_seen'] or ''} | {r['last_seen'] or ''} |")
    out += ["", "## What changed since the previous report", ""] + [f"- {escape(x)}" for x in changes_lines(summary["changes"])]
    out += ["", "## Releases", ""] + [f"- {escape(correlation(r))}" for r in summary["release_correlation"]]
    out += ["", "## Hosts", "", "| host | cause | runs |", "|---|---|---|"]
    out += [f"| {escape(r['host'])} | `{r['cause']}` | {r['runs']} |" for r in summary["by_host"][:TOP_PLACES * 3]]
    if summary["by_station"]:
        out += ["", "## Stations", "", "| station | cause | runs |", "|---|---|---|"]
        out += [f"| {escape(r['station'])} | `{r['cause']}` | {r['runs']} |" for r in summary["by_station"][:TOP_PLACES * 3]]
    out += ["", "## Unexplained failures, grouped by signature", ""]
    if not summary["clusters"]:
        out.append("none")
    for c in summary["clusters"]:
        out += [f"### {c['id']}: {c['count']} runs", "", code_block([c["template"], c["example"]]), "",
                "runs: " + ", ".join(escape(r) for r in c["runs"][:20]) + (" ..." if len(c["runs"]) > 20 else ""),
                f"(draft a cause: `faultlens kb new --from-cluster {c['id']} --report DIR`)", ""]
    if summary["errors"]:
        out += ["", "## Runs that could not be read", ""] + [f"- {escape(e['run'])}: {escape(e['error'] or '')}" for e in summary["errors"]]
    return "\n".join(out).rstrip() + "\n"
