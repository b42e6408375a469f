"""The page's two charts as inline SVG, drawn on the server: no script and no chart library, so the
page renders offline, prints, and needs nothing fetched from the internet.

Each chart is drawn for a phone (WIDTH user units: a 390 px screen less the page's margins) with a
viewBox, and the page's style scales it to the width it has: whole on a 360 px phone, larger on a
desktop (up to twice). Text stays legible at the phone's size; nothing is cut."""
from __future__ import annotations

from html import escape

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354"]
WIDTH = 360
MIN_LABEL_GAP = 40  # user units between two month labels on the axis


def _open(label: str, width: float, height: float) -> str:
    return (f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="{width:.0f}" height="{height:.0f}" preserveAspectRatio="xMinYMin meet" '
            f'xmlns="http://www.w3.org/2000/svg" font-size="11">')


def _month_label(month: str) -> str:
    """'2022-11' as '22-11': twelve of them fit a phone's axis."""
    return month[2:]


def rank_lines(months: list[str], series: dict[str, dict[str, int]], width: int = WIDTH) -> str:
    """Rank over time, one line per unit (1 at the top); names at the line's last point."""
    if not months or not series:
        return "<p>无排名数据。</p>"
    worst = max(rank for ranks in series.values() for rank in ranks.values())
    left, right, top, step_y = 22, 96, 12, 17
    height = top * 2 + 14 + step_y * max(worst - 1, 1)
    step_x = (width - left - right) / max(len(months) - 1, 1)
    every = max(1, -(-MIN_LABEL_GAP // max(int(step_x), 1)))  # label every n-th month when they would crowd

    def x(index: int) -> float:
        return left + index * step_x

    def y(rank: int) -> float:
        return top + (rank - 1) * step_y

    parts = [_open("各单位排名走势", width, height)]
    for rank in range(1, worst + 1):
        parts.append(f'<text x="{left - 6}" y="{y(rank) + 4}" text-anchor="end" fill="#666">{rank}</text>')
    for index, month in enumerate(months):
        parts.append(f'<line x1="{x(index):.1f}" y1="{top - 8}" x2="{x(index):.1f}" y2="{height - 18}" stroke="#eee"/>')
        if (len(months) - 1 - index) % every == 0:  # the latest month always labelled
            parts.append(f'<text x="{x(index):.1f}" y="{height - 4}" text-anchor="middle" fill="#666">'
                         f'{escape(_month_label(month))}</text>')
    labels: dict[tuple[float, float], list[tuple[str, str]]] = {}
    for number, (name, ranks) in enumerate(sorted(series.items(), key=lambda kv: kv[1].get(months[-1], worst + 1))):
        colour = PALETTE[number % len(PALETTE)]
        points = [(x(i), y(ranks[m])) for i, m in enumerate(months) if m in ranks]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"><title>{escape(name)}</title></polyline>')
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>' for px, py in points]
        if points:
            labels.setdefault(points[-1], []).append((name, colour))
    for (last_x, last_y), named in labels.items():
        # units tied at the end share one label, else their names would print over each other
        spans = "、".join(f'<tspan fill="{colour}">{escape(name)}</tspan>' for name, colour in named)
        parts.append(f'<text x="{last_x + 6:.1f}" y="{last_y + 4:.1f}" textLength="{right - 8}" '
                     f'lengthAdjust="spacingAndGlyphs">{spans}</text>' if len(named) > 1 else
                     f'<text x="{last_x + 6:.1f}" y="{last_y + 4:.1f}">{spans}</text>')
    parts.append("</svg>")
    return "".join(parts)


def heatmap(rows: list[str], columns: list[str], values: dict[tuple[str, str], float], maxima: dict[str, float],
            width: int = WIDTH) -> str:
    """Rows × columns, each cell shaded by its value against the column's maximum (the item's
    weight). Columns are numbered (①, ②, ...): the page lists the items under the chart, since ten
    item names side by side cannot fit a phone."""
    left, top, cell_h = 66, 20, 20
    cell_w = (width - left - 2) / max(len(columns), 1)
    height = top + cell_h * len(rows) + 4
    parts = [_open("各单位各考核项失分热力图", width, height)]
    for j, _column in enumerate(columns):
        parts.append(f'<text x="{left + cell_w * j + cell_w / 2:.1f}" y="{top - 6}" text-anchor="middle">{j + 1}</text>')
    for i, row in enumerate(rows):
        parts.append(f'<text x="{left - 4}" y="{top + cell_h * i + 14}" text-anchor="end">{escape(row)}</text>')
        for j, column in enumerate(columns):
            value = values.get((row, column), 0.0)
            share = min(value / maxima[column], 1.0) if maxima.get(column) else 0.0
            shade = f"rgb(255,{int(255 - 190 * share)},{int(255 - 200 * share)})"
            parts.append(f'<rect x="{left + cell_w * j:.1f}" y="{top + cell_h * i}" width="{cell_w - 2:.1f}" height="{cell_h - 2}" '
                         f'fill="{shade}"><title>{escape(row)} {escape(column)}：{value:.2f} 分</title></rect>'
                         f'<text x="{left + cell_w * j + cell_w / 2:.1f}" y="{top + cell_h * i + 13}" text-anchor="middle" '
                         f'font-size="9">{"" if value == 0 else f"{value:.2f}"}</text>')
    parts.append("</svg>")
    return "".join(parts)
