"""The month's DAG, built for one district: the single district of a deployment of one
(dags/gridpulse_monthly.py), or each district of a city or province deployment (one DAG per
district, `gridpulse_monthly_<code>`, so a failing district shows as itself), and the rollup DAG
that runs whenever a district publishes.

This module only wires the steps; each task calls a function of gridpulse.pipeline, which the
CLI (`python -m gridpulse ...`) calls too. Nothing heavy is imported at parse time. The month
travels between tasks as its text (XCom); each task turns it into a Period as it receives it.

A scheduled run is created on the configured day of the next month (the district's settings,
`schedule`; gridpulse.orchestration.timetable) and waits for the month's export. A manual run
assesses the month given as the `period` parameter (e.g. {"period": "2022-11"}). Each run's note
(beside it in the UI) names the month it assesses: `2022-11 考核月` (gridpulse.orchestration.run_notes);
the UI shows times in the browser's time zone (Beijing time in China). Several runs may
be active, e.g. one waiting for its export while another month is re-run; from archive to publish a
run holds the district's folders (gridpulse.month_lock), so its months are written one at a time,
and the warehouse's writers share a one-slot pool. Each dbt model is a task of the `dbt_build`
group. A district's DAG runs every task as that district (its settings and folders): the task's
pre_execute hook enters it (gridpulse.config.in_district's environment).
"""
from __future__ import annotations

import logging
import os
from datetime import timedelta
from functools import partial

import pendulum
from airflow.sdk import Asset, AssetAny, Param, dag, task

from gridpulse import config
from gridpulse.orchestration.alerts import on_task_failure
from gridpulse.orchestration.dbt_models import PRODUCER, WAREHOUSE_POOL, dbt_models_group, dbt_setting
from gridpulse.orchestration.schedule import TIMEZONE, assessed_month, asset_uri, published_marts, schedule_settings
from gridpulse.orchestration.timetable import AssessedMonthTimetable
from gridpulse.period import Period

PERIOD_PARAM = {"period": Param(None, type=["null", "string"], pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                                description="Assessed month YYYY-MM; empty = the run's data interval")}


def enter_district(code: str, context=None) -> None:
    """A task of a district's DAG runs as that district: every step reads its settings and folders."""
    os.environ.update(config.district_env(code))


def leave_district(context=None) -> None:
    """The rollup's tasks run as the deployment, whichever district's task ran before in the process."""
    os.environ.pop("GRIDPULSE_DISTRICT", None)


def display_name() -> str:
    """The DAG's title in the UI: the district's name and code (its dag_id has the code only)."""
    district = config.settings()["district"]
    return f"{district['name']}（{district['code']}）月度考核 / monthly assessment"


def mart_assets(district: str | None = None) -> list[Asset]:
    return [Asset(uri=asset_uri(mart, district), name=f"gridpulse.{district + '.' if district else ''}marts.{mart}",
                  group="gridpulse") for mart in published_marts()]


def monthly_dag(dag_id: str = "gridpulse_monthly", district: str | None = None):
    """The month's DAG for the deployment's one district, or for `district` of a deployment."""
    if district:
        with config.in_district(district):
            timing, title = schedule_settings(), display_name()
        hooks = {"pre_execute": partial(enter_district, district)}
    else:
        timing, title, hooks = schedule_settings(), display_name(), {}
    marts = mart_assets(district)

    @dag(
        dag_id=dag_id,
        dag_display_name=title,
        schedule=AssessedMonthTimetable(int(timing["run_day"]), str(timing["run_time"]), TIMEZONE),
        start_date=pendulum.datetime(2022, 1, 1, tz=TIMEZONE),
        catchup=False,
        # a run waiting for its export must not hold back another month: writing is serialised by the
        # deployment claim (claim_deployment .. release_deployment) and the warehouse pool instead
        max_active_runs=3,
        params=PERIOD_PARAM,
        default_args={"on_failure_callback": on_task_failure, **hooks},
        user_defined_macros={"dbt_setting": partial(dbt_setting, district=district)},
        tags=["gridpulse", *([f"district:{district}"] if district else [])],
        doc_md=__doc__,
    )
    def month():
        @task
        def resolve_period(params=None, data_interval_start=None) -> str:
            if params and params.get("period"):
                return params["period"]
            if data_interval_start is None:  # a manual run without a logical date
                raise ValueError("月份未指定 / no month given: trigger with {\"period\": \"YYYY-MM\"}")
            return assessed_month(data_interval_start)

        @task.sensor(poke_interval=600, timeout=timing["export_wait_days"] * 24 * 3600, mode="reschedule")
        def wait_for_export(period: str) -> bool:
            from gridpulse import pipeline

            return pipeline.export_ready(Period.parse(period))

        # the deployment's folders take one month at a time, whoever runs it (this DAG, the CLI)
        @task.sensor(poke_interval=60, timeout=24 * 3600, mode="reschedule")
        def claim_deployment(period: str, dag_run=None, ti=None) -> bool:
            from gridpulse.orchestration.claim import claim_for_run

            return claim_for_run(period, dag_run.dag_id, dag_run.run_id, ti.get_dagrun_state)

        @task(trigger_rule="all_done")  # whatever happened upstream, the next month may go
        def release_deployment(period: str | None, dag_run=None) -> None:
            from gridpulse.orchestration.claim import release_for_run

            release_for_run(period, dag_run.run_id)

        # a source that drops or times out may come back: retry with growing pauses
        @task(retries=3, retry_delay=timedelta(minutes=2), retry_exponential_backoff=True)
        def archive(period: str) -> str:
            from gridpulse import pipeline

            return pipeline.archive(Period.parse(period))

        @task  # a bad export does not get better by trying again: it is quarantined with a report
        def validate(period: str, archived: str) -> str:
            from gridpulse import pipeline

            return pipeline.validate(Period.parse(period), archived)

        @task(pool=WAREHOUSE_POOL)
        def load(period: str, archived: str) -> dict:
            from gridpulse import pipeline

            return pipeline.load(Period.parse(period), archived)

        # a dbt test that fails after validation passed: the export is quarantined with a report that
        # says which test and why, as validation does, instead of leaving only dbt's log
        @task(trigger_rule="one_failed")  # which also fires when an earlier step failed: asked below
        def quarantine_failed_build(period: str, archived: str, ti=None, dag_run=None) -> None:
            from airflow.sdk.exceptions import AirflowSkipException

            from gridpulse import pipeline

            if not ti.get_ti_count(dag_id=dag_run.dag_id, task_ids=[PRODUCER], run_ids=[dag_run.run_id], states=["failed"]):
                raise AirflowSkipException("the dbt build did not fail (an earlier step did): nothing to quarantine here")
            pipeline.quarantine_failed_build(Period.parse(period), archived)

        @task(pool=WAREHOUSE_POOL, outlets=marts)
        def publish(period: str, outlet_events=None) -> dict:
            from gridpulse import pipeline

            published = pipeline.publish(Period.parse(period))
            for asset in marts:  # downstream DAGs scheduled on these assets learn which month is new
                outlet_events[asset].extra = {"period": period}
            return published

        # a mail server or robot that is down may be back in minutes; the delivery log makes a
        # retry send only what has not gone yet
        @task(retries=3, retry_delay=timedelta(minutes=5), retry_exponential_backoff=True)
        def deliver(period: str, published: dict) -> dict:
            from airflow.sdk.exceptions import AirflowSkipException

            from gridpulse import pipeline

            if not pipeline.delivery_enabled():
                reason = "delivery is off (GRIDPULSE_DELIVERY=off or delivery.yml enabled: false)"
                logging.getLogger("gridpulse.deliver").warning("%s", reason)
                raise AirflowSkipException(reason)
            # each township's own follow-up list (names) goes to that township's addresses only
            month = Period.parse(period)
            delivered = pipeline.deliver(month, extra_attachments=pipeline.followup(month))
            if delivered["skipped"] and not (delivered["sent"] or delivered["already_sent"] or delivered["uncertain"]):
                reason = (f"no delivery channel has a connection, nothing sent / 未配置投递渠道，未发送 "
                          f"({len(delivered['skipped'])} recipients, recorded in the delivery log)")
                logging.getLogger("gridpulse.deliver").warning("%s", reason)  # Airflow logs only "Skipping task."
                raise AirflowSkipException(reason)
            return delivered

        period = resolve_period()
        archived = archive(period)
        validated = validate(period, archived)
        loaded = load(period, archived)
        built = dbt_models_group()
        wait_for_export(period) >> claim_deployment(period) >> archived
        published = publish(period)
        released = release_deployment(period)
        validated >> loaded >> built >> published >> released
        built >> quarantine_failed_build(period, archived) >> released
        deliver(period, published)

    return month()


def rollup_dag(dag_id: str = "gridpulse_rollup"):
    """The deployment's rollup, run whenever one of its districts publishes a month (and by hand
    with a `period`): it names the districts still missing, so it is never waiting for them."""
    deployment = config.deployment()
    published = [Asset(uri=asset_uri("rpt_ranking_monthly", d.code),
                       name=f"gridpulse.{d.code}.marts.rpt_ranking_monthly", group="gridpulse")
                 for d in deployment.districts]

    @dag(dag_id=dag_id, dag_display_name=f"{deployment.name}（{deployment.code}）汇总 / rollup", schedule=AssetAny(*published), start_date=pendulum.datetime(2022, 1, 1, tz=TIMEZONE),
         catchup=False, max_active_runs=1, params=PERIOD_PARAM,
         default_args={"on_failure_callback": on_task_failure, "pre_execute": leave_district},
         tags=["gridpulse", "rollup"], doc_md=rollup_dag.__doc__)
    def rollup():
        @task
        def resolve_period(params=None, triggering_asset_events=None) -> str:
            if params and params.get("period"):
                return params["period"]
            months = {event.extra.get("period") for events in (triggering_asset_events or {}).values()
                      for event in events if event.extra}
            if len(months) != 1:
                raise ValueError(f"月份不明 / which month to roll up is not clear: {sorted(m for m in months if m)}; "
                                 'trigger with {"period": "YYYY-MM"}')
            return months.pop()

        @task(pool=WAREHOUSE_POOL)
        def publish_rollup(period: str) -> dict:
            from gridpulse import pipeline

            return pipeline.rollup(Period.parse(period))

        # to the city's (or province's) recipients; each district's DAG delivers its own month
        @task(retries=3, retry_delay=timedelta(minutes=5), retry_exponential_backoff=True)
        def deliver_rollup(period: str, published: dict) -> dict:
            from airflow.sdk.exceptions import AirflowSkipException

            from gridpulse import pipeline

            if not pipeline.delivery_enabled():
                raise AirflowSkipException("delivery is off (GRIDPULSE_DELIVERY=off or delivery.yml enabled: false)")
            return pipeline.deliver_rollup(Period.parse(period))

        period = resolve_period()
        deliver_rollup(period, publish_rollup(period))

    return rollup()


def deployment_dags() -> list:
    """The DAGs of the configured deployment: one per district and the rollup when
    GRIDPULSE_DEPLOYMENT names a deployment of several districts, else gridpulse_monthly."""
    if not config.deployment_file():
        return [monthly_dag()]
    districts = [monthly_dag(f"gridpulse_monthly_{d.code}", d.code) for d in config.deployment().districts]
    return [*districts, rollup_dag()]
