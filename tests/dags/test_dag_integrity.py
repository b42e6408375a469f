"""The DAG folder imports cleanly, wires the month's steps, and parses without heavy imports."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import PROJECT_DIR

MARTS = sorted(path.stem for path in (PROJECT_DIR / "dbt_project" / "models" / "marts").glob("*.sql"))
HEAVY_MODULES = ("pandas", "duckdb", "great_expectations", "dbt", "openpyxl", "gridpulse.validate")


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(PROJECT_DIR / "dags"))


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "gridpulse_monthly" in dagbag.dags


def test_monthly_dag_assesses_the_data_interval_month(dagbag):
    from gridpulse.orchestration.timetable import AssessedMonthTimetable

    dag = dagbag.dags["gridpulse_monthly"]
    assert isinstance(dag.timetable, AssessedMonthTimetable)
    assert dag.max_active_runs > 1  # a run waiting for its export does not hold back another month
    order = ["wait_for_export", "claim_deployment", "archive", "validate", "load", "dbt_build.dbt_producer_watcher",
             "publish", "release_deployment"]
    for upstream, downstream in zip(order, order[1:]):
        assert upstream in dag.get_task(downstream).get_flat_relative_ids(upstream=True), \
            f"{upstream} must run before {downstream}"
    publish = dag.get_task("publish")
    assert {f"dbt_build.{model}_run" for model in MARTS} <= publish.get_flat_relative_ids(upstream=True)
    assert "publish" in dag.get_task("deliver").upstream_task_ids  # only a published month is sent


def test_every_dbt_model_is_a_task_and_only_one_writer_per_pool_slot(dagbag):
    from gridpulse.orchestration.dbt_models import WAREHOUSE_POOL

    dag = dagbag.dags["gridpulse_monthly"]
    models = {path.stem for path in (PROJECT_DIR / "dbt_project" / "models").rglob("*.sql")}
    assert {f"dbt_build.{model}_run" for model in models} <= set(dag.task_ids)
    writers = {task.task_id for task in dag.tasks if task.pool == WAREHOUSE_POOL}
    assert writers == {"load", "dbt_build.dbt_producer_watcher", "publish"}
    # a model's task reports the build's result for that model, after the build has run
    producer = "dbt_build.dbt_producer_watcher"
    assert all(producer in dag.get_task(f"dbt_build.{model}_run").upstream_task_ids for model in models)


def test_publish_announces_every_mart_as_an_asset(dagbag):
    dag = dagbag.dags["gridpulse_monthly"]
    uris = {outlet.uri for outlet in dag.get_task("publish").outlets}
    assert uris == {f"gridpulse://warehouse/marts/{model}" for model in MARTS}


def _timetable():
    from airflow.serialization.decoders import decode_timetable
    from airflow.serialization.encoders import encode_timetable

    from gridpulse.orchestration.schedule import TIMEZONE, schedule_settings
    from gridpulse.orchestration.timetable import AssessedMonthTimetable

    settings = schedule_settings()
    made = AssessedMonthTimetable(int(settings["run_day"]), str(settings["run_time"]), TIMEZONE)
    # the way the scheduler gets it: stored by the DAG processor, read back (the plugin registers it)
    return decode_timetable(encode_timetable(made)), settings


def test_a_scheduled_run_is_created_on_the_run_day_and_assesses_the_previous_month():
    import pendulum
    from airflow.timetables.base import DataInterval, TimeRestriction
    from airflow.utils.types import DagRunType

    timetable, settings = _timetable()
    shanghai = "Asia/Shanghai"
    october = DataInterval(pendulum.datetime(2022, 10, 1, tz=shanghai), pendulum.datetime(2022, 11, 1, tz=shanghai))
    info = timetable.next_dagrun_info(last_automated_data_interval=october,
                                      restriction=TimeRestriction(earliest=None, latest=None, catchup=True))
    hour, minute = map(int, settings["run_time"].split(":"))
    assert info.data_interval == DataInterval(pendulum.datetime(2022, 11, 1, tz=shanghai),
                                              pendulum.datetime(2022, 12, 1, tz=shanghai))
    assert info.logical_date == pendulum.datetime(2022, 11, 1, tz=shanghai)
    # not at the month's end: on the run day, so no run exists that only waits for its day
    assert info.run_after == pendulum.datetime(2022, 12, settings["run_day"], hour, minute, tz=shanghai)

    scheduled = timetable.generate_run_id(run_type=DagRunType.SCHEDULED, run_after=info.run_after,
                                          data_interval=info.data_interval)
    manual = timetable.generate_run_id(run_type=DagRunType.MANUAL, run_after=info.run_after,
                                       data_interval=info.data_interval)
    backfill = timetable.generate_run_id(run_type=DagRunType.BACKFILL_JOB, run_after=info.run_after,
                                         data_interval=info.data_interval)
    assert scheduled == "scheduled__2022-11" and backfill.startswith("backfill__2022-11__")
    # a UI trigger's month may be the `period` it was given, which the timetable never sees: no
    # month in its id rather than a wrong one (its note names the month: run_notes)
    assert re.fullmatch(r"manual__\d{8}T\d{6}", manual), manual


def test_every_run_s_note_names_the_month_it_assesses():
    """The listener's note: the `period` a run was triggered with wins over its data interval
    (a UI trigger on 2026-12-07 with period=2022-11 assesses 2022-11); a note already written stays;
    the rollup's run takes the month its districts' publications carry, and none where they name two."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    import pendulum

    from gridpulse.orchestration import run_notes

    def run(dag_id, run_id, conf, interval, note=None, published=()):
        return SimpleNamespace(dag_id=dag_id, run_id=run_id, run_type=run_id.split("__")[0], note=note, conf=conf,
                               data_interval_start=interval, consumed_asset_events=[SimpleNamespace(extra=e) for e in published])

    november = pendulum.datetime(2026, 11, 1, tz="Asia/Shanghai").in_timezone("UTC")  # kept in UTC
    runs = [run("gridpulse_monthly", "manual__20261207T010203", {"period": "2022-11"}, november),
            run("gridpulse_monthly_360502", "scheduled__2026-11", {}, november),  # pendulum, as a task sees it
            run("gridpulse_monthly", "scheduled__2026-11", None, datetime(2026, 10, 31, 16, tzinfo=UTC)),  # as the scheduler has it
            run("gridpulse_monthly", "manual__x", {}, november, note="重跑：平台更正了事件表"),
            run("gridpulse_rollup", "asset_triggered__x", {}, None),  # no publication says which month
            # the rollup, started by its districts' publications: the month they carry, never a guess
            run("gridpulse_rollup", "asset_triggered__y", {}, november, published=[{"period": "2022-11"}, {"period": "2022-11"}, None]),
            run("gridpulse_rollup", "asset_triggered__z", {}, november, published=[{"period": "2022-10"}, {"period": "2022-11"}]),
            run("other_dag", "manual__w", {"period": "2022-09"}, None)]
    for each in runs:
        run_notes.on_dag_run_running(dag_run=each, msg="started")
    assert [each.note for each in runs] == ["2022-11 考核月 / assessed month 2022-11", "2026-11 考核月 / assessed month 2026-11",
                                            "2026-11 考核月 / assessed month 2026-11", "重跑：平台更正了事件表", None,
                                            "2022-11 考核月 / assessed month 2022-11", None, None]


def test_dag_file_parses_without_heavy_imports():
    """The scheduler parses DAG files constantly: the work may import pandas & co, the file may not."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import gridpulse_monthly; "
        f"print('HEAVY:' + ','.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(PROJECT_DIR / "dags")], capture_output=True, text=True, check=True)
    report = next(line for line in done.stdout.splitlines() if line.startswith("HEAVY:"))
    assert report == "HEAVY:", f"heavy modules imported at parse time: {report}"


def test_a_deployment_of_districts_has_a_dag_per_district_and_the_rollup(monkeypatch):
    """GRIDPULSE_DEPLOYMENT: one DAG per district (a failing district shows as itself), each task
    running as its district, and the rollup scheduled on any district's published ranking."""
    import os

    from airflow.dag_processing.dagbag import DagBag

    from gridpulse import config

    city = PROJECT_DIR / "include" / "config" / "deployments" / "xinyu.yml"
    monkeypatch.setenv("GRIDPULSE_DEPLOYMENT", str(city))
    monkeypatch.setenv("GRIDPULSE_DISTRICT", "")  # recorded as absent before: the hooks' setting is undone after the test
    monkeypatch.delenv("GRIDPULSE_DISTRICT")
    bag = DagBag(dag_folder=str(PROJECT_DIR / "dags"))
    codes = [d.code for d in config.deployment().districts]
    assert bag.import_errors == {}
    assert set(bag.dags) == {f"gridpulse_monthly_{code}" for code in codes} | {"gridpulse_rollup"}
    for code in codes:
        dag = bag.dags[f"gridpulse_monthly_{code}"]
        with config.in_district(code):
            name = config.settings()["district"]["name"]
        assert dag.dag_display_name == f"{name}（{code}）月度考核 / monthly assessment"  # the UI lists districts by name
        assert {f"dbt_build.{model}_run" for model in MARTS} <= set(dag.task_ids)
        assert {o.uri for o in dag.get_task("publish").outlets} == {f"gridpulse://{code}/warehouse/marts/{m}" for m in MARTS}
        for task_id in ("validate", "dbt_build.dbt_producer_watcher", "publish", "deliver"):
            monkeypatch.delenv("GRIDPULSE_DISTRICT", raising=False)
            dag.get_task(task_id)._pre_execute_hook({})  # what the task runner calls before execute
            assert os.environ["GRIDPULSE_DISTRICT"] == code
            assert config.settings()["district"]["code"] == code and config.paths().output.name == code
    rollup = bag.dags["gridpulse_rollup"]
    assert rollup.dag_display_name == f"{config.deployment().name}（{config.deployment().code}）汇总 / rollup"
    watched = {asset.uri for asset in rollup.timetable.asset_condition.objects}
    assert watched == {f"gridpulse://{code}/warehouse/marts/rpt_ranking_monthly" for code in codes}
    assert rollup.get_task("publish_rollup").upstream_task_ids == {"resolve_period"}
    assert "publish_rollup" in rollup.get_task("deliver_rollup").upstream_task_ids
