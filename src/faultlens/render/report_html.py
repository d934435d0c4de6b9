"""report.html: one self-contained page (no network, no script) with inline SVG charts.

Every text that came from a log or a run goes through html.escape; runbooks are rendered from
Markdown with raw HTML disabled.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape

from markdown_it import MarkdownIt

from faultlens.render.report_md import changes_lines, correlation

PALETTE = ("#d62728", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:70em;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}
th{background:#f4f4f4}code,pre{background:#f6f6f6;font-family:ui-monospace,Menlo,monospace}pre{padding:.6em;overflow-x:auto}
.num{text-align:right}.muted{color:#777}.chart{margin:.5em 0 1.5em}.runbook{border-left:3px solid #ddd;padding-left:1em}
"""


def render(summary: dict, runbooks: dict) -> str:
    causes = [r["cause"] for r in summary["by_cause"]]
    colors = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(causes)}
    t = summary["totals"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        f"<title>faultlens night report {escape(summary['generated_at'])}</title><style>{CSS}</style></head><body>",
        f"<h1>faultlens night report <span class='muted'>{escape(summary['generated_at'])}</span></h1>",
        f"<p>{t['runs']} runs: <b>{t['failing']} failed</b> ({t['explained']} explained, {t['unexplained']} unexplained), "
        f"{t['passed']} passed, {t['errors']} could not be read. Knowledge base {escape(summary['knowledge_base']['version'])}.</p>",
        "<h2 id='causes'>Failures by cause</h2>", _cause_table(summary, runbooks, colors),
        "<h2 id='changes'>What changed since the previous report</h2><ul>",
        *[f"<li>{escape(x)}</li>" for x in changes_lines(summary["changes"])], "</ul>",
        "<h2 id='releases'>Releases</h2><ul>",
        *[f"<li>{escape(correlation(r))}</li>" for r in summary["release_correlation"]], "</ul>",
        "<h3>Failures per cause over time</h3>", _over_time(summary["over_time"], colors),
        "<h3>Failures per release</h3>", _bars([(f"{r['release'] or '(no release)'} · {r['cause']}", r["runs"], colors.get(r["cause"]))
                                               for r in summary["by_release"]], "per-release"),
        "<h2 id='hosts'>Hosts and stations</h2>", _place_chart(summary["by_host"], "host", colors),
    ]
    if summary["by_station"]:
        parts.append(_place_chart(summary["by_station"], "station", colors))
    parts += ["<h2 id='unexplained'>Unexplained failures, grouped by signature</h2>", _clusters(summary["clusters"])]
    if summary["errors"]:
        parts += ["<h2 id='errors'>Runs that could not be read</h2><ul>",
                  *[f"<li><code>{escape(e['run'])}</code>: {escape(e['error'] or '')}</li>" for e in summary["errors"]], "</ul>"]
    parts += ["<h2 id='runbooks'>Runbooks</h2>", _runbooks(causes, runbooks), "</body></html>"]
    return "\n".join(parts) + "\n"


def _cause_table(summary: dict, runbooks: dict, colors: dict) -> str:
    rows = ["<table><tr><th>cause</th><th>runs</th><th>share</th><th>hosts</th><th>first seen</th><th>last seen</th><th>runbook</th></tr>"]
    for r in summary["by_cause"]:
        cause = r["cause"]
        link = f"<a href='#runbook-{escape(cause)}'>{escape(runbooks[cause].title)}</a>" if cause in runbooks else ""
        rows.append(f"<tr><td><span style='color:{colors[cause]}'>&#9632;</span> <code>{escape(cause)}</code> "
                    f"<span class='muted'>{escape(summary['titles'].get(cause, ''))}</span></td><td class='num'>{r['runs']}</td>"
                    f"<td class='num'>{r['share']:.0%}</td><td class='num'>{r['hosts']}</td><td>{escape(str(r['first_seen'] or ''))}</td>"
                    f"<td>{escape(str(r['last_seen'] or ''))}</td><td>{link}</td></tr>")
    if len(rows) == 1:
        rows.append("<tr><td colspan='7'>no explained failure</td></tr>")
    return "".join(rows) + "</table>"


def _bars(items: list[tuple[str, int, str | None]], name: str) -> str:
    if not items:
        return "<p class='muted'>no data</p>"
    width, label_w, row_h = 760, 300, 20
    top = max(n for _, n, _ in items)
    svg = [f"<svg class='chart' id='{name}' xmlns='http://www.w3.org/2000/svg' width='{width}' height='{row_h * len(items) + 4}' role='img'>"]
    for i, (label, n, color) in enumerate(items):
        y = i * row_h + 2
        w = max(1, int((width - label_w - 50) * n / top))
        svg.append(f"<text x='{label_w - 6}' y='{y + 14}' text-anchor='end' font-size='12'>{escape(label[:60])}</text>"
                   f"<rect x='{label_w}' y='{y}' width='{w}' height='{row_h - 4}' fill='{color or '#888'}'><title>{escape(label)}: {n}</title></rect>"
                   f"<text x='{label_w + w + 4}' y='{y + 14}' font-size='12'>{n}</text>")
    return "".join(svg) + "</svg>"


def _over_time(rows: list[dict], colors: dict) -> str:
    if not rows:
        return "<p class='muted'>no time stamps</p>"
    buckets = sorted({r["bucket"] for r in rows})
    per = defaultdict(dict)
    for r in rows:
        per[r["cause"]][r["bucket"]] = r["runs"]
    top = max(r["runs"] for r in rows)
    col_w, row_h, label_w = max(6, min(60, 700 // len(buckets))), 46, 240
    width = label_w + col_w * len(buckets) + 10
    svg = [f"<svg class='chart' id='over-time' xmlns='http://www.w3.org/2000/svg' width='{width}' height='{row_h * len(per) + 20}' role='img'>"]
    for i, (cause, counts) in enumerate(sorted(per.items(), key=lambda kv: -sum(kv[1].values()))):
        y0 = i * row_h
        svg.append(f"<text x='{label_w - 6}' y='{y0 + 30}' text-anchor='end' font-size='12'>{escape(cause)}</text>")
        for j, b in enumerate(buckets):
            n = counts.get(b, 0)
            if n:
                h = max(2, int((row_h - 8) * n / top))
                svg.append(f"<rect x='{label_w + j * col_w}' y='{y0 + row_h - 4 - h}' width='{col_w - 1}' height='{h}' "
                           f"fill='{colors.get(cause, '#888')}'><title>{escape(str(b))}: {n}</title></rect>")
    every = -(-len(buckets) * 70 // (col_w * len(buckets)))  # a tick label at most every 70 px
    for j in range(0, len(buckets), max(1, every)):
        tick = str(buckets[j])[5:16]  # "MM-DD HH:MM"
        svg.append(f"<text x='{label_w + j * col_w}' y='{row_h * len(per) + 16}' font-size='11' fill='#777'>{escape(tick)}</text>")
    return "".join(svg) + "</svg>"


def _place_chart(rows: list[dict], column: str, colors: dict) -> str:
    totals = defaultdict(int)
    for r in rows:
        totals[r[column]] += r["runs"]
    items = [(f"{place}", n, None) for place, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]
    detail = "".join(f"<tr><td>{escape(r[column])}</td><td><code>{escape(r['cause'])}</code></td><td class='num'>{r['runs']}</td></tr>"
                     for r in rows)
    return (f"<h3>Failures per {column}</h3>" + _bars(items, f"per-{column}") +
            f"<details><summary>by {column} and cause</summary><table><tr><th>{column}</th><th>cause</th><th>runs</th></tr>{detail}</table></details>")


def _clusters(clusters: list[dict]) -> str:
    if not clusters:
        return "<p>none: every failure was explained</p>"
    out = []
    for c in clusters:
        runs = ", ".join(escape(r) for r in c["runs"][:30]) + (" ..." if len(c["runs"]) > 30 else "")
        out.append(f"<h3 id='{escape(c['id'])}'>{escape(c['id'])}: {c['count']} runs</h3><pre>{escape(c['template'])}</pre>"
                   f"<p>example:</p><pre>{escape(c['example'])}</pre><p class='muted'>runs: {runs}<br>"
                   f"draft a cause: <code>faultlens kb new --from-cluster {escape(c['id'])} --report DIR</code></p>")
    return "".join(out)


def _runbooks(causes: list[str], runbooks: dict) -> str:
    md = MarkdownIt("commonmark", {"html": False})
    return "".join(f"<section class='runbook' id='runbook-{escape(c)}'><h3>{escape(runbooks[c].title)}</h3>"
                   f"{md.render(runbooks[c].body)}</section>" for c in causes if c in runbooks)
