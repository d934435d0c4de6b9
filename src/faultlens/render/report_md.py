"""report.md: the night in Markdown, for chat or email. Log text only inside code spans/blocks;
every other text that came from a run (host, station, release, run names) is escaped and kept on
one line, so it cannot break a table row or start a paragraph of its own."""

from __future__ import annotations

from faultlens.render import inert_line
from faultlens.render.markdown import code_block, escape

TOP_PLACES = 10
NO_RELEASE = "(no release)"  # as report.tables names it
UNEXPLAINED = "(unexplained)"


def cell(text) -> str:
    """Text from a run for one table cell or list item: line breaks shown as \\n, Markdown escaped."""
    return escape(inert_line(str(text if text is not None else "")))


def code_span(text: str) -> str:
    """Log text as one inline code span, whatever backticks and line breaks it holds."""
    body = inert_line(text)
    longest = run = 0
    for ch in body:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body.strip() else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def when(text: str | None) -> str:
    """A time of the report (naive UTC) with its zone said: "2026-11-25 03:08:02 UTC"."""
    return f"{str(text).replace('T', ' ')[:19]} UTC" if text else ""


def in_run(source: str | None, run: str) -> str:
    """An input's name inside its run: "station.log" rather than "/floor/night/run-7/station.log"."""
    source = source or ""
    for mark in (f"/{run}/", f"/{run}:"):
        if mark in source:
            return source.split(mark, 1)[1]
    return source


def release_name(release: str | None) -> str:
    return release or NO_RELEASE


def correlation(row: dict) -> str:
    """"all 37 failures of X began after release R appeared; 0 before"."""
    cause, release, runs, first = row["cause"], release_name(row["release"]), row["runs"], row.get("release_first_seen")
    on = row.get("on_release", runs)
    failures = "the only failure" if runs == 1 else f"{runs} failures"
    ran = f"{failures} of {cause}" if on == runs else f"{on} of {runs} failures of {cause}"
    if release == NO_RELEASE:
        return f"{ran} ran no known release {NO_RELEASE}"
    if not first:
        return f"{ran} ran release {release}; when it first appeared is not known"
    if not row.get("release_is_new"):
        return f"{ran} ran release {release}, on the floor since the first run of the report"
    if row["before"] == 0:
        every = "" if runs == 1 else "all "
        return f"{every}{failures} of {cause} began after release {release} appeared ({when(first)}); 0 before"
    return (f"{row['after']} of {runs} failures of {cause} came after release {release} appeared ({when(first)}); "
            f"{row['before']} before")


def changes_lines(changes: dict) -> list[str]:
    if changes.get("previous") is None:
        return ["first night in this folder: nothing to compare with"]
    before = changes.get("counts_before", {})
    since = changes.get("previous_night") or changes["previous"]
    out = [f"new: {c}" for c in changes["new"]]
    out += [f"grew: {c} (was {before.get(c, 0)})" for c in changes["grew"]]
    out += [f"gone: {c} (was {before.get(c, 0)})" for c in changes["gone"]]
    return [f"{line} since the night of {since}" for line in out] or [f"nothing new since the night of {since}"]


def runs_by_cause(summary: dict) -> dict[str, list[dict]]:
    """The failing runs grouped by top cause, in the order of the shares (biggest first)."""
    groups: dict[str, list[dict]] = {s["cause"]: [] for s in summary["shares"]}
    for row in summary["failing_runs"]:
        groups.setdefault(row["cause"], []).append(row)
    return groups


def _run_item(r: dict) -> str:
    place = " · ".join(cell(x) for x in (r["station"], r["host"]) if x)
    head = " · ".join(x for x in (cell(r["run"]), place, when(r["started_at"]), cell(release_name(r["release"]))) if x)
    conf = f" (confidence {r['confidence']:.2f})" if r.get("confidence") is not None else ""
    source = in_run(r.get("evidence_source"), r["run"])
    where = f"{source}:{r['evidence_line']}" if r.get("evidence_line") else source
    line = f"{code_span(where)} " if where else ""
    evidence = code_span(r["evidence_text"]) if r.get("evidence_text") else "(no evidence line)"
    return f"- {head}{conf}: {line}{evidence}"


def render(summary: dict) -> str:
    t = summary["totals"]
    title = f"faultlens night report, night of {summary.get('night', '')}"
    out = [f"# {escape(title)} (generated {escape(summary['generated_at'])})", "",
           f"{t['runs']} runs: {t['failing']} failed ({t['explained']} explained, "
           f"{t['unexplained']} unexplained), {t['passed']} passed, {t['errors']} could not be read.", "",
           "## Failures by cause", "",
           "Shares are of all failures, unexplained ones included.", "",
           "| cause | runs | share | hosts | first seen | last seen |", "|---|---|---|---|---|---|"]
    causes = {r["cause"]: r for r in summary["by_cause"]}
    for s in summary["shares"]:
        r = causes.get(s["cause"], {})
        name = f"`{s['cause']}`" if s["cause"] in causes else escape(s["cause"])
        out.append(f"| {name} | {s['runs']} | {s['percent']} % | {r.get('hosts', '')} | {when(r.get('first_seen'))} "
                   f"| {when(r.get('last_seen'))} |")
    out += ["", "## Failing runs by cause", ""]
    for cause, rows in runs_by_cause(summary).items():
        name = f"`{cause}`" if cause in causes else escape(cause)
        title = summary["titles"].get(cause, "")
        out += [f"### {name}{' ' + escape(title) if title else ''} ({len(rows)} {'run' if len(rows) == 1 else 'runs'})", ""]
        out += [_run_item(r) for r in rows] + [""]
    out += ["## What changed since the previous night", ""] + [f"- {escape(x)}" for x in changes_lines(summary["changes"])]
    out += ["", "## Releases", ""] + [f"- {cell(correlation(r))}" for r in summary["release_correlation"]]
    out += ["", "## Hosts", "", "| host | cause | runs |", "|---|---|---|"]
    out += [f"| {cell(r['host'])} | `{r['cause']}` | {r['runs']} |" for r in summary["by_host"][:TOP_PLACES * 3]]
    if summary["by_station"]:
        out += ["", "## Stations", "", "| station | cause | runs |", "|---|---|---|"]
        out += [f"| {cell(r['station'])} | `{r['cause']}` | {r['runs']} |" for r in summary["by_station"][:TOP_PLACES * 3]]
    out += ["", "## Unexplained failures, grouped by signature", ""]
    if not summary["clusters"]:
        out.append("none")
    for c in summary["clusters"]:
        out += [f"### {c['id']}: {c['count']} runs", "", code_block([inert_line(c["template"]), inert_line(c["example"])]), "",
                "runs: " + ", ".join(cell(r) for r in c["runs"][:20]) + (" ..." if len(c["runs"]) > 20 else ""),
                f"(draft a cause: `faultlens kb new --from-cluster {c['id']} --report DIR`)", ""]
    if summary["errors"]:
        out += ["", "## Runs that could not be read", ""] + [f"- {cell(e['run'])}: {cell(e['error'] or '')}" for e in summary["errors"]]
    if summary.get("problems"):
        out += ["", "## Problems in run metadata (the runs were read)", ""]
        out += [f"- {cell(p['run'])}: {cell(p['problem'])}" for p in summary["problems"]]
    return "\n".join(out).rstrip() + "\n"
