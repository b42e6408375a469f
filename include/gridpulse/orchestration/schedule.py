"""When a month's run may start, and what it publishes, for the DAG.

The assessed month is the run's data interval (a calendar month in the district's time zone); the
timetable (gridpulse.orchestration.timetable) creates the run on the configured day of the next
month (`schedule.run_day` and `schedule.run_time` in include/config/gridpulse.yml).
"""
from __future__ import annotations

from gridpulse import config
from gridpulse.period import Period

TIMEZONE = "Asia/Shanghai"


def schedule_settings() -> dict:
    return {"run_day": 1, "run_time": "00:00", "export_wait_days": 7} | (config.settings().get("schedule") or {})


def published_marts() -> list[str]:
    """The marts a month publishes, one Airflow asset each: the models in dbt's marts folder."""
    return sorted(path.stem for path in (config.DBT_PROJECT_DIR / "models" / "marts").glob("*.sql"))


def asset_uri(mart: str, district: str | None = None) -> str:
    """A published mart as an Airflow asset: the deployment's, or a district's of a deployment."""
    return f"gridpulse://{district + '/' if district else ''}warehouse/marts/{mart}"


def assessed_month(data_interval_start) -> str:
    """The month a run assesses, from its data interval's start (a pendulum datetime, in UTC as
    Airflow keeps it): the DAG's resolve_period and the failure alert both ask this."""
    return str(Period.of(data_interval_start.in_timezone(TIMEZONE)))
