"""gridpulse_monthly: one run assesses one month, the run's data interval.

This file only wires the steps; each task calls a function of gridpulse.pipeline, which the
CLI (`python -m gridpulse ...`) calls too. Nothing heavy is imported at parse time.

A scheduled run waits for the configured day of the next month (include/config/gridpulse.yml,
`schedule`), then for the month's export. A manual run assesses the last complete month before
it, or the month given as the `period` parameter (e.g. {"period": "2022-11"}). Runs go one at a
time: the warehouse has one writer. Each dbt model is a task of the `dbt_build` group.
"""
from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, CronDataIntervalTimetable, Param, dag, task

from gridpulse.orchestration.alerts import on_task_failure
from gridpulse.orchestration.dbt_models import WAREHOUSE_POOL, building_warehouse, dbt_log_dir, dbt_models_group
from gridpulse.orchestration.schedule import TIMEZONE, asset_uri, published_marts, schedule_settings

MARTS = [Asset(uri=asset_uri(mart), name=f"gridpulse.marts.{mart}", group="gridpulse") for mart in published_marts()]


@dag(
    dag_id="gridpulse_monthly",
    schedule=CronDataIntervalTimetable("0 0 1 * *", timezone=TIMEZONE),
    start_date=pendulum.datetime(2022, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,  # DuckDB has one writer: months run one at a time
    params={"period": Param(None, type=["null", "string"], pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                            description="Assessed month YYYY-MM; empty = the run's data interval")},
    default_args={"on_failure_callback": on_task_failure},
    user_defined_macros={"building_warehouse": building_warehouse, "dbt_log_dir": dbt_log_dir},
    tags=["gridpulse"],
    doc_md=__doc__,
)
def gridpulse_monthly():
    @task
    def resolve_period(params=None, data_interval_start=None) -> str:
        if params and params.get("period"):
            return params["period"]
        return data_interval_start.in_timezone(TIMEZONE).format("YYYY-MM")

    @task.sensor(poke_interval=1800, timeout=7 * 24 * 3600, mode="reschedule")
    def wait_for_run_day(params=None, data_interval_end=None) -> bool:
        from gridpulse.orchestration.schedule import run_day_reached

        if (params and params.get("period")) or data_interval_end is None:
            return True  # a month asked for by hand runs now
        return run_day_reached(data_interval_end, pendulum.now(TIMEZONE))

    @task.sensor(poke_interval=600, timeout=schedule_settings()["export_wait_days"] * 24 * 3600, mode="reschedule")
    def wait_for_export(period: str) -> bool:
        from gridpulse import pipeline

        return pipeline.export_ready(period)

    # a source that drops or times out may come back: retry with growing pauses
    @task(retries=3, retry_delay=timedelta(minutes=2), retry_exponential_backoff=True)
    def archive(period: str) -> str:
        from gridpulse import pipeline

        return pipeline.archive(period)

    @task  # a bad export does not get better by trying again: it is quarantined with a report
    def validate(period: str, archived: str) -> str:
        from gridpulse import pipeline

        return pipeline.validate(period, archived)

    @task(pool=WAREHOUSE_POOL)
    def load(period: str, archived: str) -> dict:
        from gridpulse import pipeline

        return pipeline.load(period, archived)

    @task(pool=WAREHOUSE_POOL, outlets=MARTS)
    def publish(period: str, outlet_events=None) -> dict:
        from gridpulse import pipeline

        published = pipeline.publish(period)
        for asset in MARTS:  # downstream DAGs scheduled on these assets learn which month is new
            outlet_events[asset].extra = {"period": period}
        return published

    # a mail server or robot that is down may be back in minutes; the delivery log makes a
    # retry send only what has not gone yet
    @task(retries=3, retry_delay=timedelta(minutes=5), retry_exponential_backoff=True)
    def deliver(period: str, published: dict) -> dict:
        from airflow.exceptions import AirflowSkipException

        from gridpulse import pipeline

        if not pipeline.delivery_enabled():
            raise AirflowSkipException("delivery is off (GRIDPULSE_DELIVERY=off or delivery.yml enabled: false)")
        # each township's own follow-up list (names) goes to that township's addresses only
        return pipeline.deliver(period, extra_attachments=pipeline.followup(period))

    period = resolve_period()
    archived = archive(period)
    validated = validate(period, archived)
    loaded = load(period, archived)
    built = dbt_models_group()
    wait_for_run_day() >> wait_for_export(period) >> archived
    published = publish(period)
    validated >> loaded >> built >> published
    deliver(period, published)


gridpulse_monthly()
