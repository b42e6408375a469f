"""Charts of the scorecard as PNG, drawn with matplotlib in the freely licensed Noto Sans SC that
the project installs (pylopdf-fonts-zh-cn), so Chinese never renders as boxes."""
from __future__ import annotations

import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")  # no display on a server
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from pylopdf_fonts_zh_cn import sans_path  # noqa: E402


@lru_cache(maxsize=1)
def _font() -> str:
    font_manager.fontManager.addfont(sans_path())
    name = font_manager.FontProperties(fname=sans_path()).get_name()
    plt.rcParams.update({"font.family": "sans-serif", "font.sans-serif": [name], "axes.unicode_minus": False,
                         "svg.hashsalt": "gridpulse", "pdf.fonttype": 42})
    return name


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    # no timestamp in the PNG: the same month renders to the same bytes
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


# inches: a chart printed 14 cm wide in the DOCX and PDF, and scaled to a phone's width in the HTML,
# where a wider figure would shrink its labels below reading size
CHART_WIDTH = 6.4
BAR_HEIGHT = 0.28


def totals_bar(names: list[str], totals: list[float], full_marks: float = 100) -> bytes:
    return _png(totals_figure(names, totals, full_marks))


def totals_figure(names: list[str], totals: list[float], full_marks: float = 100):
    """One bar per unit. The axis starts at 0, so a bar's length is its score: an axis cut at 65
    would draw 74.25 as a quarter of 100. The title is the caption beside the chart, not drawn here."""
    _font()
    figure, axes = plt.subplots(figsize=(CHART_WIDTH, BAR_HEIGHT * len(names) + 0.9))
    positions = range(len(names))[::-1]
    bars = axes.barh(list(positions), totals, color="#b22222")
    axes.set_yticks(list(positions), names)
    axes.bar_label(bars, labels=[f"{t:.2f}" for t in totals], padding=2, fontsize=8)
    axes.set_xlim(0, max(totals + [full_marks]) * 1.08)
    axes.set_xlabel("总分")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def item_scores_stacked(names: list[str], items: list[str], scores: list[list[float]]) -> bytes:
    """One bar per unit, one segment per item: where each unit's points come from. The legend sits
    below in three columns at a size that still reads when the chart is scaled to a phone."""
    _font()
    figure, axes = plt.subplots(figsize=(CHART_WIDTH, BAR_HEIGHT * len(names) + 1.0))
    positions = list(range(len(names)))[::-1]
    left = [0.0] * len(names)
    colours = plt.get_cmap("tab10")
    for i, item in enumerate(items):
        values = [row[i] for row in scores]
        axes.barh(positions, values, left=left, label=item, color=colours(i % 10))
        left = [a + b for a, b in zip(left, values)]
    axes.set_yticks(positions, names)
    axes.set_xlim(0, max(left + [0]) * 1.04 or 1)
    axes.set_xlabel("得分")
    axes.legend(ncol=3, fontsize=10, loc="upper center", frameon=False,
                bbox_to_anchor=(0.5, -0.25 / (BAR_HEIGHT * len(names) + 1.0) - 0.06))
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)
