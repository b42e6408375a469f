"""Render the bulletin. Templates only place figures; every figure comes from a mart."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from gridpulse import config
from gridpulse.numbers import fmt, pct
from gridpulse.period import Period
from gridpulse.publish.marts import MonthMarts

TEMPLATES = Path(__file__).parent / "templates"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["fmt"] = fmt
    env.filters["pct"] = pct
    env.filters["count"] = lambda v: "/" if v is None else f"{int(v)}"
    return env


def render_html(marts: MonthMarts, tables: dict, path: Path) -> None:
    period = Period.parse(marts.period)
    district = config.settings()["district"]
    html = _environment().get_template("bulletin.html.j2").render(
        period=period, district=district, headline=marts.headline, tables=tables,
    )
    path.write_text(html, encoding="utf-8")
