"""The delivery and alert settings (include/config/delivery.yml, alerts.yml) and their templates."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, StrictUndefined

from gridpulse import config
from gridpulse.period import Period

_TEMPLATES = Environment(undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True)


def delivery() -> dict:
    """The district's recipients and messages: include/config/delivery.yml, or the file its
    settings name under `delivery` (each district of a deployment has its own recipients), sent
    under the district's own sender when its profile names one (district.sender)."""
    conf = delivery_in(config.project_path(config.settings().get("delivery") or "include/config/delivery.yml"))
    sender = config.settings()["district"].get("sender") or {}
    return conf | {key: value for key, value in (("sender_name", sender.get("name")), ("sender_email", sender.get("email")))
                   if value}


def _referenced(value: str, beside: Path) -> Path:
    """A file another file names: beside it first (as a deployment's own files are written), else
    relative to the project folder."""
    near = Path(beside).parent / value
    return near if not Path(value).is_absolute() and near.is_file() else config.project_path(value)


@cache
def delivery_in(path) -> dict:
    """A delivery file. One that `extends` another takes the other's messages and channels and
    replaces what it sets, key by key at the top: its `orgs` are its recipients, all of them, never
    added to the other file's (a district of a deployment must not mail another district's units).
    `extends` names a file beside it or relative to the project folder."""
    if not Path(path).is_file():
        raise DeliverySettingsError(f"delivery file {path} does not exist (named by the district's `delivery` "
                                    "or the deployment's `delivery`)")
    data = config.read_yaml(path) or {}
    base = data.pop("extends", None)
    if not base:
        return data
    extended = _referenced(str(base), Path(path))
    if not extended.is_file():
        raise DeliverySettingsError(f"{path}: extends {base}, which is neither beside it nor in the project folder "
                                    f"(looked for {Path(path).parent / base} and {config.project_path(str(base))})")
    return {**delivery_in(extended), **data}


class DeliverySettingsError(ValueError):
    """A delivery file that cannot be read as named: the message says which and where it looked."""


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
