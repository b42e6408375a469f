"""Workdays of a month after China's official calendar, with its make-up working days (调休).

The official calendar comes from the `chinesecalendar` package, which knows the years the State
Council has published. A district can add or correct days in include/config/holidays.yml (or the file its settings
name under `holidays`); a month that neither knows stops with a message that says what to do.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from gridpulse.config import project_path, read_yaml, settings
from gridpulse.period import Period

HOLIDAY_FILE = "include/config/holidays.yml"  # unless the district's settings name its own


class CalendarUnknown(RuntimeError):
    """The official calendar does not cover the month and no holiday file does either."""


def holiday_file() -> Path:
    """The district's holiday corrections: each district of a deployment may have its own."""
    return project_path(settings().get("holidays") or HOLIDAY_FILE)


def _overrides() -> dict[date, bool]:
    return _overrides_in(holiday_file())


@lru_cache(maxsize=8)
def _overrides_in(path: Path) -> dict[date, bool]:
    if not path.exists():
        return {}
    data = read_yaml(path) or {}
    days: dict[date, bool] = {}
    for day in data.get("workdays") or []:
        days[date.fromisoformat(str(day))] = True
    for day in data.get("holidays") or []:
        days[date.fromisoformat(str(day))] = False
    return days


def _covered_years() -> set[int]:
    path = holiday_file()
    data = read_yaml(path) if path.exists() else {}
    return {int(y) for y in (data or {}).get("complete_years") or []}


def is_workday(day: date) -> bool:
    overrides = _overrides()
    if day in overrides:
        return overrides[day]
    if day.year in _covered_years():
        return day.weekday() < 5
    import chinese_calendar  # imported here: it is only needed when a month is assessed

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as exc:
        raise CalendarUnknown(
            f"{day.year}年的法定节假日安排尚未收录 (the official calendar of {day.year} is not known to "
            f"chinesecalendar {chinese_calendar.__version__}). Upgrade the package once the State Council "
            f"has published it, or list the year under complete_years, with its holidays and make-up "
            f"workdays, in {holiday_file()}."
        ) from exc


def workdays(period: Period) -> list[date]:
    return [day for day in period.days() if is_workday(day)]
