"""The report's charts as static inline SVG: bars, stacked columns and a heat map, each with
axes and its counts written out. No script, no library: the page is one file that any browser
(or a mail client that shows HTML) draws the same. Labels are escaped; a long one is cut and
shown whole in the element's tooltip (<title>).
"""

from __future__ import annotations

from collections import defaultdict
from html import escape

FONT = "font-family='system-ui,sans-serif' font-size='12'"
AXIS = "#555"
GRID = "#e6e6e6"


def nice_ticks(top: float, most: int = 6) -> list[int]:
    """0, step, 2 step ... up to at least `top` in at most `most` ticks; step 1, 2 or 5 times a
    power of ten."""
    top = max(1, -int(-top // 1))
    step = next(s for s in _steps() if top / s <= most - 1)
    return list(range(0, -(-top // step) * step + 1, step))


def _steps():
    base = 1
    while True:
        yield from (base, 2 * base, 5 * base)
        base *= 10


def _cut(label: str, chars: int) -> str:
    return label if len(label) <= chars else label[:chars - 1] + "…"


def hbars(items: list[tuple[str, int, str | None, str | None]], name: str, axis_label: str) -> str:
    """Horizontal bars: (label, count, color, extra text after the count such as "40 %")."""
    if not items:
        return "<p class='muted'>no data</p>"
    label_w, plot_w, row_h, top_pad = 300, 440, 20, 4
    ticks = nice_ticks(max(n for _, n, _, _ in items))
    scale = plot_w / ticks[-1]
    height = top_pad + row_h * len(items)
    svg = [f"<svg class='chart' id='{escape(name)}' xmlns='http://www.w3.org/2000/svg' width='{label_w + plot_w + 110}' "
           f"height='{height + 40}' role='img' aria-label='{escape(axis_label)}' {FONT}>"]
    for t in ticks:
        x = label_w + t * scale
        svg.append(f"<line x1='{x:.1f}' y1='{top_pad}' x2='{x:.1f}' y2='{height}' stroke='{GRID}'/>"
                   f"<text x='{x:.1f}' y='{height + 14}' text-anchor='middle' fill='{AXIS}' font-size='11'>{t}</text>")
    for i, (label, n, color, extra) in enumerate(items):
        y = top_pad + i * row_h
        w = max(1.0, n * scale)
        value = f"{n} ({extra})" if extra else f"{n}"
        svg.append(f"<text x='{label_w - 6}' y='{y + 14}' text-anchor='end'>{escape(_cut(label, 44))}<title>{escape(label)}</title></text>"
                   f"<rect x='{label_w}' y='{y + 2}' width='{w:.1f}' height='{row_h - 5}' fill='{color or '#888'}'>"
                   f"<title>{escape(label)}: {escape(value)}</title></rect>"
                   f"<text x='{label_w + w + 4:.1f}' y='{y + 14}'>{escape(value)}</text>")
    svg.append(f"<line x1='{label_w}' y1='{height}' x2='{label_w + plot_w}' y2='{height}' stroke='{AXIS}'/>"
               f"<line x1='{label_w}' y1='{top_pad}' x2='{label_w}' y2='{height}' stroke='{AXIS}'/>"
               f"<text x='{label_w + plot_w / 2}' y='{height + 32}' text-anchor='middle' fill='{AXIS}'>{escape(axis_label)}</text>")
    return "".join(svg) + "</svg>"


def stacked_columns(buckets: list[tuple[str, list[tuple[str, int, str]]]], name: str, y_label: str, x_label: str,
                    legend: list[tuple[str, str]]) -> str:
    """Columns (one per bucket: its label and (series, count, color) parts) stacked, with a y
    axis of counts, an x axis of bucket labels and a legend."""
    if not buckets:
        return "<p class='muted'>no data</p>"
    left, plot_h, top_pad = 60, 220, 20  # room above the tallest column for its count
    col_w = max(8, min(48, 900 // len(buckets)))
    plot_w = col_w * len(buckets)
    ticks = nice_ticks(max(sum(n for _, n, _ in parts) for _, parts in buckets))
    scale = plot_h / ticks[-1]
    base = top_pad + plot_h
    legend_y = base + 58
    width = max(left + plot_w + 20, 460)
    svg = [f"<svg class='chart' id='{escape(name)}' xmlns='http://www.w3.org/2000/svg' width='{width}' "
           f"height='{legend_y + 20 * len(legend) + 10}' role='img' aria-label='{escape(y_label)}' {FONT}>"]
    for t in ticks:
        y = base - t * scale
        svg.append(f"<line x1='{left}' y1='{y:.1f}' x2='{left + plot_w}' y2='{y:.1f}' stroke='{GRID}'/>"
                   f"<text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end' fill='{AXIS}' font-size='11'>{t}</text>")
    every = max(1, -(-80 // col_w))  # a label at most every 80 px
    for j, (label, parts) in enumerate(buckets):
        x = left + j * col_w
        y = float(base)
        for series, n, color in parts:
            if n:
                h = n * scale
                y -= h
                svg.append(f"<rect x='{x + 1}' y='{y:.1f}' width='{col_w - 2}' height='{h:.1f}' fill='{color}'>"
                           f"<title>{escape(label)} {escape(series)}: {n}</title></rect>")
        total = sum(n for _, n, _ in parts)
        if total and col_w >= 14:
            svg.append(f"<text x='{x + col_w / 2:.1f}' y='{y - 3:.1f}' text-anchor='middle' font-size='10'>{total}</text>")
        if j % every == 0:
            svg.append(f"<line x1='{x + col_w / 2:.1f}' y1='{base}' x2='{x + col_w / 2:.1f}' y2='{base + 4}' stroke='{AXIS}'/>"
                       f"<text x='{x + col_w / 2:.1f}' y='{base + 16}' text-anchor='middle' fill='{AXIS}' font-size='11'>{escape(label)}</text>")
    svg.append(f"<line x1='{left}' y1='{base}' x2='{left + plot_w}' y2='{base}' stroke='{AXIS}'/>"
               f"<line x1='{left}' y1='{top_pad}' x2='{left}' y2='{base}' stroke='{AXIS}'/>"
               f"<text x='{left + plot_w / 2}' y='{base + 34}' text-anchor='middle' fill='{AXIS}'>{escape(x_label)}</text>"
               f"<text transform='translate(14 {top_pad + plot_h / 2}) rotate(-90)' text-anchor='middle' fill='{AXIS}'>{escape(y_label)}</text>")
    for i, (series, color) in enumerate(legend):
        y = legend_y + 20 * i
        svg.append(f"<rect x='{left}' y='{y}' width='12' height='12' fill='{color}'/>"
                   f"<text x='{left + 18}' y='{y + 11}'>{escape(series)}</text>")
    return "".join(svg) + "</svg>"


HEAT = ((255, 245, 240), (165, 15, 21))  # light to dark red: no failure is white


def _heat(n: int, top: int) -> str:
    if not n:
        return "#ffffff"
    f = 0.15 + 0.85 * (n / top) ** 0.5  # square root: one failure stays visible beside forty
    r, g, b = (round(lo + (hi - lo) * f) for lo, hi in zip(*HEAT))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(rows: list[dict], column: str, causes: list[str], name: str) -> str:
    """Places (rows: stations or hosts, most failures first) by causes (columns), each cell the
    number of failing runs, darker for more; a row total on the right. 200 stations are 200
    rows of 14 px: the page grows, the cells stay readable."""
    if not rows or not causes:
        return "<p class='muted'>no data</p>"
    counts: dict = defaultdict(dict)
    for r in rows:
        counts[r[column]][r["cause"]] = r["runs"]
    places = sorted(counts, key=lambda p: (-sum(counts[p].values()), p))
    top = max(r["runs"] for r in rows)
    longest = max(len(p) for p in places)
    label_w = min(240, 12 + 7 * longest)
    cell_w, cell_h, head_h = 30, 14, 150
    width = label_w + cell_w * len(causes) + 60
    height = head_h + cell_h * len(places) + 70
    svg = [f"<svg class='chart' id='{escape(name)}' xmlns='http://www.w3.org/2000/svg' width='{max(width, 420)}' "
           f"height='{height}' role='img' aria-label='failing runs per {escape(column)} and cause' {FONT}>"]
    for j, cause in enumerate(causes):
        x = label_w + j * cell_w + cell_w / 2
        svg.append(f"<text transform='translate({x + 4:.1f} {head_h - 6}) rotate(-60)' font-size='11'>"
                   f"{escape(_cut(cause, 26))}<title>{escape(cause)}</title></text>")
    svg.append(f"<text x='{label_w + cell_w * len(causes) + 8}' y='{head_h - 6}' font-size='11' fill='{AXIS}'>total</text>")
    for i, place in enumerate(places):
        y = head_h + i * cell_h
        svg.append(f"<text x='{label_w - 6}' y='{y + 11}' text-anchor='end' font-size='11'>{escape(_cut(place, 32))}"
                   f"<title>{escape(place)}</title></text>")
        for j, cause in enumerate(causes):
            n = counts[place].get(cause, 0)
            x = label_w + j * cell_w
            svg.append(f"<rect x='{x}' y='{y}' width='{cell_w - 1}' height='{cell_h - 1}' fill='{_heat(n, top)}' stroke='{GRID}'>"
                       f"<title>{escape(place)} · {escape(cause)}: {n}</title></rect>")
            if n:
                ink = "#fff" if n / top > 0.45 else "#222"
                svg.append(f"<text x='{x + cell_w / 2:.1f}' y='{y + 11}' text-anchor='middle' font-size='10' fill='{ink}'>{n}</text>")
        svg.append(f"<text x='{label_w + cell_w * len(causes) + 8}' y='{y + 11}' font-size='11'>{sum(counts[place].values())}</text>")
    legend_y = head_h + cell_h * len(places) + 20
    svg.append(f"<text x='{label_w}' y='{legend_y + 11}' font-size='11' fill='{AXIS}'>failing runs:</text>")
    for k, n in enumerate(sorted({1, max(1, top // 4), max(1, top // 2), top})):
        x = label_w + 90 + k * 50
        svg.append(f"<rect x='{x}' y='{legend_y}' width='16' height='12' fill='{_heat(n, top)}' stroke='{GRID}'/>"
                   f"<text x='{x + 20}' y='{legend_y + 11}' font-size='11'>{n}</text>")
    svg.append(f"<text x='{label_w}' y='{legend_y + 34}' font-size='11' fill='{AXIS}'>{len(places)} {escape(column)}s "
               f"with a failure, most failures first; columns are causes</text>")
    return "".join(svg) + "</svg>"
