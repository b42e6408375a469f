"""The delivery and alert settings (include/config/delivery.yml, alerts.yml) and their templates."""
from __future__ import annotations

from functools import cache

from jinja2 import Environment, StrictUndefined

from gridpulse import config
from gridpulse.period import Period

_TEMPLATES = Environment(undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True)


def delivery() -> dict:
    """The district's recipients and messages: include/config/delivery.yml, or the file its
    settings name under `delivery` (each district of a deployment has its own recipients)."""
    return delivery_in(config.project_path(config.settings().get("delivery") or "include/config/delivery.yml"))


@cache
def delivery_in(path) -> dict:
    """A delivery file. One that `extends` another takes the other's messages and channels and
    replaces what it sets, key by key at the top: its `orgs` are its recipients, all of them, never
    added to the other file's (a district of a deployment must not mail another district's units)."""
    data = config.read_yaml(path)
    base = data.pop("extends", None)
    return {**delivery_in(config.project_path(base)), **data} if base else data


@cache
def alerts() -> dict:
    return config.read_yaml(config.CONFIG_DIR / "alerts.yml")


def render(template: str, **values) -> str:
    return _TEMPLATES.from_string(template).render(**values)


def month_values(period: str, place: str | None = None) -> dict:
    """What every template may use: the month in Chinese and the district's name (or the city's,
    for a deployment's rollup), as `district`."""
    month = Period.parse(period)
    return {"period": str(month), "month_zh": f"{month.year}年{month.month}月",
            "district": place or config.settings()["district"]["name"]}
