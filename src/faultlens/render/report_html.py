"""report.html: one self-contained page (no network) with inline SVG charts.

Every text that came from a log or a run goes through html.escape; runbooks are rendered from
Markdown with raw HTML disabled. The only script is SORT_SCRIPT below, allowed by its sha256 in
the Content-Security-Policy (no other script can run, a log's `<script>` included); it adds
sorting and a filter box to the tables of runs. Without it the page shows everything the same.

A reader digs from a cause to its runs (one table per cause) and from a run to its own
explanation (a section rendered from the run's `explain --format json` document), and back.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections import defaultdict
from datetime import datetime, timedelta
from html import escape

from markdown_it import MarkdownIt

from faultlens.render import report_charts as charts
from faultlens.render.report_md import (NO_RELEASE, UNEXPLAINED, changes_lines, correlation, in_run, release_name,
                                        runs_by_cause, when)

PALETTE = ("#d62728", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#393b79")
UNEXPLAINED_COLOR = "#7f7f7f"
SHOWN_EVIDENCE = 10  # evidence lines of one cause in a run's explanation
SHOWN_UNUSUAL = 20
SHOWN_INPUTS = 200  # inputs listed under a run's explanation (its JSON in runs.parquet has them all)
MAX_HOURS = 24 * 14  # hours drawn one by one on the time axis; a longer span shows only hours with failures
TOP_HOSTS = 25  # hosts drawn in the bar chart; all are in the table under it
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:80em;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}h4{margin:.8em 0 .3em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}code,pre{background:#f6f6f6;font-family:ui-monospace,Menlo,monospace}pre{padding:.6em;overflow-x:auto}
.num{text-align:right}.muted{color:#777}.chart{margin:.5em 0 1.5em;display:block}.runbook{border-left:3px solid #ddd;padding-left:1em}
.runs td.ev{max-width:40em;overflow-wrap:anywhere}.runs code{white-space:pre-wrap}
.cause,.run{border-left:3px solid #ddd;padding-left:1em;margin:1.5em 0}:target{border-left-color:#1f77b4;background:#f5f9ff}
th.sortable{cursor:pointer}td.t{white-space:nowrap}th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
input.filter{margin:.3em 0;padding:.2em .4em;width:20em}nav a{margin-right:1em}
"""
# Sorting and filtering of the tables of runs. Its sha256 goes into the page's CSP: edit it
# freely, the hash follows. No inline handlers (the CSP forbids them), no text from the page run.
SORT_SCRIPT = """
document.querySelectorAll('table.runs').forEach(function (table) {
  var head = table.tHead.rows[0], body = table.tBodies[0];
  var input = document.createElement('input');
  input.type = 'search'; input.className = 'filter'; input.placeholder = 'filter these runs';
  input.setAttribute('aria-label', 'filter the runs of this cause');
  table.parentNode.insertBefore(input, table);
  input.addEventListener('input', function () {
    var q = input.value.toLowerCase();
    Array.prototype.forEach.call(body.rows, function (row) {
      row.hidden = q !== '' && row.textContent.toLowerCase().indexOf(q) < 0;
    });
  });
  Array.prototype.forEach.call(head.cells, function (th, col) {
    th.tabIndex = 0; th.classList.add('sortable'); th.title = 'sort by ' + th.textContent;
    var sort = function () {
      var up = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(head.cells, function (c) { c.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', up ? 'ascending' : 'descending');
      var num = th.classList.contains('num');
      var keyed = Array.prototype.map.call(body.rows, function (row) {
        var c = row.cells[col], text = c.getAttribute('data-sort') || c.textContent;
        return [num ? (parseFloat(text) || 0) : text.toLowerCase(), row];
      });
      keyed.sort(function (a, b) {
        var d = a[0] < b[0] ? -1 : (a[0] > b[0] ? 1 : 0);
        return up ? d : -d;
      });
      var sorted = document.createDocumentFragment();
      keyed.forEach(function (pair) { sorted.appendChild(pair[1]); });
      body.appendChild(sorted);
    };
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter') { sort(); } });
  });
});
"""


def script_hash(script: str = SORT_SCRIPT) -> str:
    """The CSP source that allows exactly this inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def anchor(prefix: str, name: str) -> str:
    """An element id for a run or cause: the name itself when it is plain, else a digest."""
    if name and len(name) <= 120 and all(c.isascii() and (c.isalnum() or c in "._-") for c in name):
        return prefix + name
    return prefix + "x" + hashlib.sha1(name.encode("utf-8", "replace")).hexdigest()[:16]


def render(summary: dict, runbooks: dict, explanations: dict | None = None) -> str:
    explanations = explanations or {}
    order = [s["cause"] for s in summary["shares"]]
    colors = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(c for c in order if c != UNEXPLAINED)}
    colors[UNEXPLAINED] = UNEXPLAINED_COLOR
    t = summary["totals"]
    night = escape(summary.get("night", ""))
    csp = f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src {script_hash()}"
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<meta http-equiv='Content-Security-Policy' content=\"{csp}\">",
        f"<title>faultlens night report {night}</title><style>{CSS}</style></head><body>",
        f"<h1 id='top'>faultlens night report: night of {night} <span class='muted'>generated "
        f"{escape(when(summary['generated_at']))}</span></h1>",
        f"<p>{t['runs']} runs: <b>{t['failing']} failed</b> ({t['explained']} explained, {t['unexplained']} unexplained), "
        f"{t['passed']} passed, <b>{t['errors']} could not be read</b>. "
        f"Knowledge base {escape(summary['knowledge_base']['version'])}. All times are UTC.</p>",
        "<nav><a href='#causes'>causes</a><a href='#runs'>failing runs</a><a href='#changes'>changes</a>"
        "<a href='#releases'>releases</a><a href='#time'>over time</a><a href='#hosts'>hosts and stations</a>"
        "<a href='#unexplained'>unexplained</a><a href='#explanations'>run explanations</a><a href='#runbooks'>runbooks</a></nav>",
        "<h2 id='causes'>Failures by cause</h2>", _cause_table(summary, runbooks, colors),
        charts.hbars([(s["cause"], s["runs"], colors[s["cause"]], f"{s['percent']} %") for s in summary["shares"]],
                     "shares", "failing runs (share of all failures)"),
        "<h2 id='runs'>Failing runs by cause</h2>",
        "<p class='muted'>Each run links to its own explanation. Click a column to sort; type to filter.</p>",
        _runs_by_cause(summary, runbooks, colors),
        "<h2 id='changes'>What changed since the previous night</h2><ul>",
        *[f"<li>{escape(x)}</li>" for x in changes_lines(summary["changes"])], "</ul>",
        "<h2 id='releases'>Releases</h2><ul>",
        *[f"<li>{escape(correlation(r))}</li>" for r in summary["release_correlation"]], "</ul>",
        "<h3>Failures per release and cause</h3>",
        charts.hbars([(f"{release_name(r['release'])} · {r['cause']}", r["runs"], colors.get(r["cause"]), None)
                      for r in summary["by_release"]], "per-release", "failing runs"),
        "<h2 id='time'>Failures per cause over time</h2>", _over_time(summary["over_time"], colors),
        "<h2 id='hosts'>Hosts and stations</h2>", _hosts(summary["by_host"]),
    ]
    if summary["by_station"]:
        causes = [c for c in order if any(r["cause"] == c for r in summary["by_station"])]
        parts += ["<h3>Failures per station and cause</h3>",
                  charts.heatmap(summary["by_station"], "station", causes, "per-station"),
                  _place_table(summary["by_station"], "station")]
    parts += ["<h2 id='unexplained'>Unexplained failures, grouped by signature</h2>", _clusters(summary["clusters"])]
    if summary["errors"]:
        parts += ["<h2 id='errors'>Runs that could not be read</h2><ul>",
                  *[f"<li><code>{escape(e['run'])}</code>: {escape(e['error'] or '')}</li>" for e in summary["errors"]], "</ul>"]
    if summary.get("problems"):
        parts += ["<h2 id='problems'>Problems in run metadata <span class='muted'>(the runs were read)</span></h2><ul>",
                  *[f"<li><code>{escape(p['run'])}</code>: {escape(p['problem'])}</li>" for p in summary["problems"]], "</ul>"]
    shown = {c: runbooks[c] for c in order if c in runbooks}  # the runbooks at the end of the page
    parts += ["<h2 id='explanations'>Run explanations</h2>",
              *[_explanation(r, explanations.get(r["run"]), shown, summary["titles"]) for r in summary["failing_runs"]],
              "<h2 id='runbooks'>Runbooks</h2>", _runbooks(list(shown), runbooks),
              f"<script>{SORT_SCRIPT}</script></body></html>"]
    return "\n".join(parts) + "\n"


def _cause_name(cause: str, titles: dict) -> str:
    if cause == UNEXPLAINED:
        return f"<i>{escape(cause)}</i> <span class='muted'>no known cause has real support</span>"
    return f"<code>{escape(cause)}</code> <span class='muted'>{escape(titles.get(cause, ''))}</span>"


def _cause_table(summary: dict, runbooks: dict, colors: dict) -> str:
    causes = {r["cause"]: r for r in summary["by_cause"]}
    rows = ["<table id='cause-table'><thead><tr><th>cause</th><th class='num'>runs</th><th class='num'>share of all failures</th>"
            "<th class='num'>hosts</th><th>first seen</th><th>last seen</th><th>runbook</th></tr></thead><tbody>"]
    for s in summary["shares"]:
        cause, r = s["cause"], causes.get(s["cause"], {})
        link = f"<a href='#runbook-{escape(cause)}'>{escape(runbooks[cause].title)}</a>" if cause in runbooks else ""
        rows.append(f"<tr><td><span style='color:{colors[cause]}'>&#9632;</span> "
                    f"<a href='#{anchor('cause-', cause)}'>{_cause_name(cause, summary['titles'])}</a></td>"
                    f"<td class='num'>{s['runs']}</td><td class='num'>{s['percent']} %</td><td class='num'>{r.get('hosts', '')}</td>"
                    f"<td>{escape(when(r.get('first_seen')))}</td><td>{escape(when(r.get('last_seen')))}</td><td>{link}</td></tr>")
    if len(rows) == 1:
        rows.append("<tr><td colspan='7'>no failure</td></tr>")
    return "".join(rows) + "</tbody></table>"


def _evidence_cell(r: dict) -> str:
    source = in_run(r.get("evidence_source"), r["run"])
    where = f"{source}:{r['evidence_line']}" if r.get("evidence_line") else source
    text = f"<code>{escape(r['evidence_text'])}</code>" if r.get("evidence_text") else "<span class='muted'>no line</span>"
    return (f"<span class='muted'>{escape(where)}</span><br>" if where else "") + text


def _runs_by_cause(summary: dict, runbooks: dict, colors: dict) -> str:
    out = []
    for cause, rows in runs_by_cause(summary).items():
        book = f" · runbook: <a href='#runbook-{escape(cause)}'>{escape(runbooks[cause].title)}</a>" if cause in runbooks else ""
        out.append(f"<section class='cause' id='{anchor('cause-', cause)}'><h3><span style='color:{colors.get(cause, '#888')}'>"
                   f"&#9632;</span> {_cause_name(cause, summary['titles'])}: {len(rows)} {'run' if len(rows) == 1 else 'runs'}</h3>"
                   f"<p class='muted'><a href='#causes'>all causes</a>{book}</p>"
                   "<table class='runs'><thead><tr><th>run</th><th>station</th><th>host</th><th>started (UTC)</th>"
                   "<th>release</th><th>evidence</th><th class='num'>confidence</th></tr></thead><tbody>")
        for r in rows:
            conf = f"{r['confidence']:.2f}" if r.get("confidence") is not None else ""
            out.append(f"<tr><td><a href='#{anchor('run-', r['run'])}'>{escape(r['run'])}</a></td>"
                       f"<td>{escape(r['station'] or '')}</td><td>{escape(r['host'] or '')}</td>"
                       f"<td class='t' data-sort='{escape(str(r['started_at'] or ''))}'>{escape(when(r['started_at']))}</td>"
                       f"<td>{escape(release_name(r['release']))}</td><td class='ev'>{_evidence_cell(r)}</td>"
                       f"<td class='num'>{conf}</td></tr>")
        out.append("</tbody></table></section>")
    return "".join(out) or "<p>no failing run</p>"


def _explanation(r: dict, doc: dict | None, runbooks: dict, titles: dict) -> str:
    """One failing run's own explanation, from its `explain --format json` document."""
    cause = r["cause"]
    meta = " · ".join(escape(x) for x in (r["station"] or "", r["host"] or "", when(r["started_at"]),
                                          release_name(r["release"])) if x)
    out = [f"<section class='run' id='{anchor('run-', r['run'])}'><h3>{escape(r['run'])}</h3><p class='muted'>{meta}</p>",
           f"<p><a class='back' href='#{anchor('cause-', cause)}'>&#8592; back to {escape(cause)}</a> · "
           f"<a href='#runs'>all failing runs</a></p>"]
    if doc is None:
        out.append(f"<p>{_evidence_cell(r)}</p></section>")
        return "".join(out)
    out.append(f"<p>verdict: <b>{escape(str(doc.get('verdict', '')))}</b></p>")
    for n, c in enumerate(doc.get("causes", []), start=1):
        book = c.get("runbook") or {}
        link = (f" · runbook: <a href='#runbook-{escape(book['id'])}'>{escape(book.get('title') or book['id'])}</a>"
                if book.get("id") in runbooks else "")
        out.append(f"<h4>{n}. {escape(c.get('title') or titles.get(c['id'], ''))} <code>{escape(c['id'])}</code> "
                   f"<span class='muted'>confidence {c['confidence']:.2f}</span>{link}</h4><p>{escape(c.get('summary') or '')}</p>")
        evidence = c.get("evidence", [])
        if evidence:
            lines = [f"{in_run(e['source'], r['run'])}:{e['line']}  {e['text']}" if e.get("line")
                     else f"{in_run(e['source'], r['run'])}  {e['text']}" for e in evidence[:SHOWN_EVIDENCE]]
            more = f"\n... {len(evidence) - SHOWN_EVIDENCE} more" if len(evidence) > SHOWN_EVIDENCE else ""
            out.append(f"<pre>{escape(chr(10).join(lines) + more)}</pre>")
        if c.get("next_steps"):
            out.append("<p>next steps:</p><pre>" + escape("\n".join(c["next_steps"])) + "</pre>")
    unusual = doc.get("unusual_lines", [])
    if unusual:
        lines = [f"{in_run(u['source'], r['run'])}:{u['line']}  {u['text']}" for u in unusual[:SHOWN_UNUSUAL]]
        out.append("<h4>Lines that stand out</h4><pre>" + escape("\n".join(lines)) + "</pre>")
    inputs = doc.get("inputs", [])
    if inputs:
        rows = "".join(f"<tr><td><code>{escape(in_run(i['source'], r['run']))}</code></td><td>{escape(i['kind'])}</td><td>{escape(i['format'])}</td>"
                       f"<td class='num'>{i['lines']}</td><td>{escape('; '.join(p['reason'] for p in i['problems']))}</td></tr>"
                       for i in inputs[:SHOWN_INPUTS])
        more = f"<p class='muted'>... and {len(inputs) - SHOWN_INPUTS} more</p>" if len(inputs) > SHOWN_INPUTS else ""
        out.append(f"<details><summary>{len(inputs)} inputs read</summary><table><tr><th>input</th><th>kind</th>"
                   f"<th>format</th><th>lines</th><th>problems</th></tr>{rows}</table>{more}</details>")
    out.append("</section>")
    return "".join(out)


def _hours(buckets: list[str]) -> list[str]:
    """Every hour from the first bucket to the last, so that a quiet hour is a gap on the axis."""
    try:
        first, last = datetime.fromisoformat(min(buckets)), datetime.fromisoformat(max(buckets))
    except ValueError:
        return sorted(buckets)
    hours = int((last - first).total_seconds() // 3600) + 1
    if hours > MAX_HOURS or (last - first) % timedelta(hours=1):
        return sorted(buckets)
    return [str(first + timedelta(hours=h)) for h in range(hours)]


def _over_time(rows: list[dict], colors: dict) -> str:
    if not rows:
        return "<p class='muted'>no time stamps</p>"
    per: dict = defaultdict(dict)
    for r in rows:
        per[str(r["bucket"])][r["cause"]] = r["runs"]
    causes = sorted({r["cause"] for r in rows}, key=lambda c: list(colors).index(c) if c in colors else math.inf)
    buckets = [(when(b)[5:16], [(c, per.get(b, {}).get(c, 0), colors.get(c, "#888")) for c in causes]) for b in _hours(list(per))]
    return charts.stacked_columns(buckets, "over-time", "failing runs per hour", "hour started (UTC)",
                                  [(c, colors.get(c, "#888")) for c in causes])


def _hosts(rows: list[dict]) -> str:
    totals: dict = defaultdict(int)
    for r in rows:
        totals[r["host"]] += r["runs"]
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    note = (f"<p class='muted'>the {TOP_HOSTS} hosts with most failures; all {len(ranked)} are in the table below</p>"
            if len(ranked) > TOP_HOSTS else "")
    return ("<h3>Failures per host</h3>" + charts.hbars([(h, n, None, None) for h, n in ranked[:TOP_HOSTS]], "per-host",
                                                        "failing runs") + note + _place_table(rows, "host"))


def _place_table(rows: list[dict], column: str) -> str:
    detail = "".join(f"<tr><td>{escape(r[column])}</td><td><code>{escape(r['cause'])}</code></td><td class='num'>{r['runs']}</td></tr>"
                     for r in rows)
    return (f"<details><summary>by {column} and cause (table)</summary><table><tr><th>{column}</th><th>cause</th>"
            f"<th class='num'>runs</th></tr>{detail}</table></details>")


def _clusters(clusters: list[dict]) -> str:
    if not clusters:
        return "<p>none: every failure was explained</p>"
    out = []
    for c in clusters:
        runs = ", ".join(f"<a href='#{anchor('run-', r)}'>{escape(r)}</a>" for r in c["runs"][:30])
        runs += " ..." if len(c["runs"]) > 30 else ""
        out.append(f"<h3 id='{escape(c['id'])}'>{escape(c['id'])}: {c['count']} runs</h3><pre>{escape(c['template'])}</pre>"
                   f"<p>example:</p><pre>{escape(c['example'])}</pre><p class='muted'>runs: {runs}<br>"
                   f"draft a cause: <code>faultlens kb new --from-cluster {escape(c['id'])} --report DIR</code></p>")
    return "".join(out)


def _runbooks(causes: list[str], runbooks: dict) -> str:
    md = MarkdownIt("commonmark", {"html": False})
    return "".join(f"<section class='runbook' id='runbook-{escape(c)}'><h3>{escape(runbooks[c].title)}</h3>"
                   f"{md.render(runbooks[c].body)}</section>" for c in causes)


__all__ = ["NO_RELEASE", "render", "script_hash", "anchor"]
