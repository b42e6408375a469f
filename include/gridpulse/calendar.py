"""Workdays of a month after China's official calendar, with its make-up working days (调休).

The official calendar comes from the `chinesecalendar` package, which knows the years the State
Council has published. A district can add or correct days in include/config/holidays.yml; a
month that neither knows stops with a message that says what to do.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from gridpulse.config import CONFIG_DIR, read_yaml
from gridpulse.period import Period

HOLIDAY_FILE = CONFIG_DIR / "holidays.yml"


class CalendarUnknown(RuntimeError):
    """The official calendar does not cover the month and no holiday file does either."""


@lru_cache(maxsize=1)
def _overrides() -> dict[date, bool]:
    if not HOLIDAY_FILE.exists():
        return {}
    data = read_yaml(HOLIDAY_FILE) or {}
    days: dict[date, bool] = {}
    for day in data.get("workdays") or []:
        days[date.fromisoformat(str(day))] = True
    for day in data.get("holidays") or []:
        days[date.fromisoformat(str(day))] = False
    return days


def _covered_years() -> set[int]:
    data = read_yaml(HOLIDAY_FILE) if HOLIDAY_FILE.exists() else {}
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
            f"workdays, in {HOLIDAY_FILE}."
        ) from exc


def workdays(period: Period) -> list[date]:
    return [day for day in period.days() if is_workday(day)]
