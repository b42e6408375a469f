"""When a month's run may start, and what it publishes, for the DAG.

The assessed month is the run's data interval (a calendar month in the district's time zone).
The run itself waits until the configured day of the next month (`schedule.run_day` and
`schedule.run_time` in include/config/gridpulse.yml): platforms finish their exports a few days
after the month ends.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from gridpulse import config

TIMEZONE = "Asia/Shanghai"


def schedule_settings() -> dict:
    return {"run_day": 1, "run_time": "00:00", "export_wait_days": 7} | (config.settings().get("schedule") or {})


def run_day_reached(interval_end: datetime, now: datetime) -> bool:
    """Whether `now` is on or after the run day of the month that `interval_end` opens.

    `interval_end` is the first instant of the next month in the district's time zone (the
    data interval's end); both datetimes are time-zone aware."""
    settings = schedule_settings()
    hour, minute = (int(part) for part in str(settings["run_time"]).split(":"))
    local_end = interval_end.astimezone(_zone())
    start = datetime.combine(local_end.date() + timedelta(days=int(settings["run_day"]) - 1),
                             time(hour, minute), tzinfo=_zone())
    return now >= start


def published_marts() -> list[str]:
    """The marts a month publishes, one Airflow asset each: the models in dbt's marts folder."""
    return sorted(path.stem for path in (config.DBT_PROJECT_DIR / "models" / "marts").glob("*.sql"))


def asset_uri(mart: str) -> str:
    return f"gridpulse://warehouse/marts/{mart}"


def _zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo(config.settings().get("timezone", TIMEZONE))
