"""A task that fails in the real DAG alerts the people who run the month: the DAG's failure
callback sends, to a real SMTP server and a real robot on loopback, what failed, for which month
and what to do."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gridpulse import config

from conftest import PERIOD
from exports import drop_month, edit_csv
from servers import SmtpServer, WebhookServer

pytestmark = pytest.mark.month

# The subject is the alert and the quarantine, not the figures: the small month (a tenth of the demo's rows).
OPS = "gridpulse-ops@yushui.example.org"


def test_a_rejected_export_fails_the_run_and_alerts_ops(workspace, small_month, airflow_db, tmp_path, monkeypatch):
    month = drop_month(small_month, workspace["source"])
    edit_csv(month, "巡查记录.csv", lambda frame: frame.assign(**{"巡查里程（公里）": frame["巡查里程（公里）"].where(frame.index != 0, "-3")}))
    with SmtpServer(tmp_path) as smtp, WebhookServer() as robots:
        monkeypatch.setenv("SSL_CERT_FILE", str(smtp.cert_path))
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_SMTP", smtp.connection_json("zzzx-noreply@yushui.example.org"))
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_DINGTALK_OPS", robots.connection_json("ops-token", "SEC-ops"))
        from gridpulse.orchestration.airflow_run import run

        dag_run = run(PERIOD)

    assert str(dag_run.state) == "failed"
    assert not config.paths().warehouse.exists() and not (config.paths().output / PERIOD).exists()
    report = next((config.paths().quarantine / PERIOD).rglob("validation_report.txt")).read_text(encoding="utf-8")
    assert "巡查记录.csv 第 2 行 「巡查里程（公里）」(distance_km)：「-3.0」超出允许范围 [0, 200]" in report
    [alert] = smtp.sink.to(OPS)
    message = alert["message"]
    assert message["subject"] == "【网格化考核告警】渝水区 2022年11月 validate 失败"
    body = message.get_body(("plain",)).get_content()
    assert "巡查记录.csv 第 2 行" in body  # the error, naming file and row
    [report_path] = (config.paths().quarantine / PERIOD).glob("*/validation_report.txt")  # under the export id
    assert f"见 {report_path}，" in body  # and where the report is
    assert f"见 {report_path}，" in message.get_body(("html",)).get_content()
    [ding] = robots.at("/robot/send")
    assert "validate" in ding["json"]["markdown"]["text"]


# A rule no export-level check knows, added to a copy of the dbt project: the month passes
# validation and fails here, in dbt's tests, as a real month can (a scheme meeting data it was
# not written for, an invariant of the marts).
LATE_RULE = """{{ config(meta={'cause_zh': '单次巡查里程不应超过 150 公里'}) }}
select patrol_id, distance_km from {{ ref('stg_patrols') }} where distance_km > 150
"""


def test_a_month_failing_a_dbt_test_is_quarantined_with_a_readable_cause(workspace, small_month, airflow_db, tmp_path,
                                                                         monkeypatch):
    project = tmp_path / "dbt_project"
    shutil.copytree(config.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "tests" / "assert_patrols_are_within_150_km.sql").write_text(LATE_RULE, encoding="utf-8")
    monkeypatch.setattr(config, "DBT_PROJECT_DIR", project)
    month = drop_month(small_month, workspace["source"])
    # within validation's range [0, 200], beyond the late rule
    edit_csv(month, "巡查记录.csv", lambda frame: frame.assign(**{"巡查里程（公里）": frame["巡查里程（公里）"].where(frame.index != 0, "180")}))
    with SmtpServer(tmp_path) as smtp:
        monkeypatch.setenv("SSL_CERT_FILE", str(smtp.cert_path))
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_SMTP", smtp.connection_json("zzzx-noreply@yushui.example.org"))
        from gridpulse.orchestration.airflow_run import run

        dag_run = run(PERIOD)

    assert str(dag_run.state) == "failed"
    states = {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}
    assert states["quarantine_failed_build"].endswith("failed") and states["publish"].endswith("upstream_failed")
    paths = config.paths()
    assert not paths.warehouse.exists() and not paths.building.exists()  # nothing published, the copy discarded
    assert not (paths.output / PERIOD).exists()
    report = next((paths.quarantine / PERIOD).rglob("validation_report.txt")).read_text(encoding="utf-8")
    cause = "巡查记录.csv：单次巡查里程不应超过 150 公里，有 1 行不符合（dbt 检验 assert_patrols_are_within_150_km 未通过，模型 stg_patrols；"
    assert cause in report and "Traceback" not in report
    compiled = report.split("列出这些行的 SQL：")[1].split("）")[0]
    assert "distance_km > 150" in Path(compiled).read_text(encoding="utf-8")  # the path lists the rows
    [alert] = [m["message"] for m in smtp.sink.to(OPS) if "quarantine_failed_build" in m["message"]["subject"]]
    body = alert.get_body(("plain",)).get_content()
    [report_path] = (paths.quarantine / PERIOD).glob("*/validation_report.txt")
    assert "单次巡查里程不应超过 150 公里" in body and f"见 {report_path}，" in body
