"""A task that fails in the real DAG alerts the people who run the month: the DAG's failure
callback sends, to a real SMTP server and a real robot on loopback, what failed, for which month
and what to do."""
from __future__ import annotations

from conftest import PERIOD
from exports import drop_month, edit_csv
from gridpulse import config
from servers import SmtpServer, WebhookServer

OPS = "gridpulse-ops@yushui.example.org"


def test_a_rejected_export_fails_the_run_and_alerts_ops(workspace, demo_month, airflow_db, tmp_path, monkeypatch):
    month = drop_month(demo_month, workspace["source"])
    edit_csv(month, "巡查记录.csv", lambda frame: frame.assign(**{"巡查里程（公里）": frame["巡查里程（公里）"].where(frame.index != 0, "-3")}))
    with SmtpServer(tmp_path) as smtp, WebhookServer() as robots:
        monkeypatch.setenv("SSL_CERT_FILE", str(smtp.cert_path))
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_SMTP", smtp.connection_json("zzzx-noreply@yushui.example.org"))
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_DINGTALK_OPS", robots.connection_json("ops-token", "SEC-ops"))
        from gridpulse.airflow_run import run

        dag_run = run(PERIOD)

    assert str(dag_run.state) == "failed"
    assert not config.paths().warehouse.exists() and not (config.paths().output / PERIOD).exists()
    report = next((config.paths().quarantine / PERIOD).rglob("validation_report.txt")).read_text(encoding="utf-8")
    assert "巡查记录.csv 第 2 行 「巡查里程（公里）」(distance_km)：「-3.0」超出允许范围 [0, 200]" in report
    [alert] = smtp.sink.to(OPS)
    message = alert["message"]
    assert "validate" in message["subject"] and "2022年11月" in message["subject"]
    body = message.get_body(("plain",)).get_content()
    assert "巡查记录.csv 第 2 行" in body  # the error, naming file and row
    assert str(config.paths().quarantine / PERIOD) in body  # and where the report is
    [ding] = robots.at("/robot/send")
    assert "validate" in ding["json"]["markdown"]["text"]
