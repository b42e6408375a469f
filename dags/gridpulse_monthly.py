"""gridpulse_monthly: one run assesses one month, the run's data interval.

This file only wires the steps; each task calls a function of gridpulse.pipeline, which the
CLI (`python -m gridpulse ...`) calls too. Nothing heavy is imported at parse time.

A scheduled run starts when its month has ended. A manual run assesses the last complete month
before it, or the month given as the `period` parameter (e.g. {"period": "2022-11"}).
"""
from __future__ import annotations

import pendulum
from airflow.sdk import CronDataIntervalTimetable, Param, dag, task

TIMEZONE = "Asia/Shanghai"


@dag(
    dag_id="gridpulse_monthly",
    schedule=CronDataIntervalTimetable("0 0 1 * *", timezone=TIMEZONE),
    start_date=pendulum.datetime(2022, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,  # DuckDB has one writer: months run one at a time
    params={"period": Param(None, type=["null", "string"], pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                            description="Assessed month YYYY-MM; empty = the run's data interval")},
    tags=["gridpulse"],
    doc_md=__doc__,
)
def gridpulse_monthly():
    @task
    def resolve_period(params=None, data_interval_start=None) -> str:
        if params and params.get("period"):
            return params["period"]
        return data_interval_start.in_timezone(TIMEZONE).format("YYYY-MM")

    @task.sensor(poke_interval=600, timeout=7 * 24 * 3600, mode="reschedule")
    def wait_for_export(period: str) -> bool:
        from gridpulse import pipeline

        return pipeline.export_ready(period)

    @task(retries=2)
    def archive(period: str) -> str:
        from gridpulse import pipeline

        return pipeline.archive(period)

    @task
    def validate(period: str, archived: str) -> str:
        from gridpulse import pipeline

        return pipeline.validate(period, archived)

    @task
    def load(period: str, archived: str) -> dict:
        from gridpulse import pipeline

        return pipeline.load(period, archived)

    @task
    def dbt_build(period: str) -> None:
        from gridpulse import pipeline

        pipeline.transform(period)

    @task
    def publish(period: str) -> dict:
        from gridpulse import pipeline

        return pipeline.publish(period)

    period = resolve_period()
    archived = archive(period)
    validated = validate(period, archived)
    loaded = load(period, archived)
    built = dbt_build(period)
    wait_for_export(period) >> archived
    validated >> loaded >> built >> publish(period)


gridpulse_monthly()
