"""The page's two charts as inline SVG, drawn on the server: no script and no chart library, so the
page renders offline, prints, and needs nothing fetched from the internet."""
from __future__ import annotations

from html import escape

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354"]


def rank_lines(months: list[str], series: dict[str, dict[str, int]], width: int = 900) -> str:
    """Rank over time, one line per unit (1 at the top); names at the line's last point."""
    if not months or not series:
        return "<p>无排名数据。</p>"
    worst = max(rank for ranks in series.values() for rank in ranks.values())
    left, right, top, step_y = 50, 160, 20, 24
    height = top * 2 + step_y * max(worst - 1, 1)
    step_x = (width - left - right) / max(len(months) - 1, 1)

    def x(index: int) -> float:
        return left + index * step_x

    def y(rank: int) -> float:
        return top + (rank - 1) * step_y

    parts = [f'<svg class="chart" role="img" aria-label="各单位排名走势" width="{width}" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="12">']
    for rank in range(1, worst + 1):
        parts.append(f'<text x="{left - 8}" y="{y(rank) + 4}" text-anchor="end" fill="#666">{rank}</text>')
    for index, month in enumerate(months):
        parts.append(f'<line x1="{x(index)}" y1="{top - 10}" x2="{x(index)}" y2="{height - top + 10}" stroke="#eee"/>'
                     f'<text x="{x(index)}" y="{height - 2}" text-anchor="middle" fill="#666">{escape(month)}</text>')
    labels: dict[tuple[float, float], list[tuple[str, str]]] = {}
    for number, (name, ranks) in enumerate(sorted(series.items(), key=lambda kv: kv[1].get(months[-1], worst + 1))):
        colour = PALETTE[number % len(PALETTE)]
        points = [(x(i), y(ranks[m])) for i, m in enumerate(months) if m in ranks]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"><title>{escape(name)}</title></polyline>')
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>' for px, py in points]
        if points:
            labels.setdefault(points[-1], []).append((name, colour))
    for (last_x, last_y), named in labels.items():
        # units tied at the end share one label, else their names would print over each other
        spans = "、".join(f'<tspan fill="{colour}">{escape(name)}</tspan>' for name, colour in named)
        parts.append(f'<text x="{last_x + 8:.1f}" y="{last_y + 4:.1f}">{spans}</text>')
    parts.append("</svg>")
    return "".join(parts)


def heatmap(rows: list[str], columns: list[str], values: dict[tuple[str, str], float], maxima: dict[str, float]) -> str:
    """Rows × columns, each cell shaded by its value against the column's maximum (the item's weight)."""
    cell_w, cell_h, left, top = 78, 26, 110, 40
    width, height = left + cell_w * len(columns) + 10, top + cell_h * len(rows) + 10
    parts = [f'<svg class="chart" role="img" aria-label="各单位各考核项失分热力图" width="{width}" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="12">']
    for j, column in enumerate(columns):
        parts.append(f'<text x="{left + cell_w * j + cell_w / 2}" y="{top - 12}" text-anchor="middle">{escape(column)}</text>')
    for i, row in enumerate(rows):
        parts.append(f'<text x="{left - 8}" y="{top + cell_h * i + 17}" text-anchor="end">{escape(row)}</text>')
        for j, column in enumerate(columns):
            value = values.get((row, column), 0.0)
            share = min(value / maxima[column], 1.0) if maxima.get(column) else 0.0
            shade = f"rgb(255,{int(255 - 190 * share)},{int(255 - 200 * share)})"
            parts.append(f'<rect x="{left + cell_w * j}" y="{top + cell_h * i}" width="{cell_w - 2}" height="{cell_h - 2}" '
                         f'fill="{shade}"><title>{escape(row)} {escape(column)}: {value:.2f}</title></rect>'
                         f'<text x="{left + cell_w * j + cell_w / 2}" y="{top + cell_h * i + 17}" text-anchor="middle">'
                         f'{"" if value == 0 else f"{value:.2f}"}</text>')
    parts.append("</svg>")
    return "".join(parts)
