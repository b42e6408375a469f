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


def totals_bar(names: list[str], totals: list[float], title: str) -> bytes:
    _font()
    figure, axes = plt.subplots(figsize=(8, 0.32 * len(names) + 1.2))
    positions = range(len(names))[::-1]
    bars = axes.barh(list(positions), totals, color="#b22222")
    axes.set_yticks(list(positions), names)
    axes.bar_label(bars, labels=[f"{t:.2f}" for t in totals], padding=2, fontsize=8)
    low = min(totals) if totals else 0
    axes.set_xlim(max(0, low - 10), max(totals + [100]) * 1.04)
    axes.set_title(title)
    axes.set_xlabel("总分")
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def item_scores_stacked(names: list[str], items: list[str], scores: list[list[float]], title: str) -> bytes:
    """One bar per unit, one segment per item: where each unit's points come from."""
    _font()
    figure, axes = plt.subplots(figsize=(8, 0.32 * len(names) + 1.6))
    positions = list(range(len(names)))[::-1]
    left = [0.0] * len(names)
    colours = plt.get_cmap("tab10")
    for i, item in enumerate(items):
        values = [row[i] for row in scores]
        axes.barh(positions, values, left=left, label=item, color=colours(i % 10))
        left = [a + b for a, b in zip(left, values)]
    axes.set_yticks(positions, names)
    axes.set_title(title)
    axes.set_xlabel("得分")
    axes.legend(ncol=5, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08 - 0.6 / max(len(names), 1)))
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)
