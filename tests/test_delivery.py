"""Delivery of a real published month to a real SMTP server (aiosmtpd) and real webhook receivers
(http.server) on loopback: the messages, their attachments and signatures, the routing of a
township's own files, and that a retried or crashed delivery never sends anything twice."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time

import duckdb
import pytest

from gridpulse import config, pipeline
from gridpulse.delivery import settings
from gridpulse.delivery.deliver import DeliveryFailed
from gridpulse.delivery.log import DeliveryLog

from conftest import MONTH, PERIOD, PROJECT_DIR, point_at
from servers import SmtpServer, WebhookServer

FROM = "zzzx-noreply@yushui.example.org"
DINGTALK_SECRET = "SEC0123456789abcdef-test-secret"
DISTRICT = "360502"
JIESHUI, CHENGBEI = "360502001", "360502015"
SUBJECT = "渝水区2022年11月网格化服务管理工作考核通报"
ATTACHMENT_NAMES = {"bulletin.pdf": "渝水区2022年11月网格化服务管理工作考核通报.pdf",
                    "bulletin.docx": "渝水区2022年11月网格化服务管理工作考核通报.docx",
                    "ranking.xlsx": "渝水区2022年11月网格化服务管理工作考核排名.xlsx"}


@pytest.fixture(scope="module")
def published(seed_months):
    """The session's published 2022-11 (conftest.seed_months), read-only: its outputs and warehouse."""
    patch = pytest.MonkeyPatch()
    point_at(patch, seed_months)
    warehouse = config.paths().warehouse
    patch.undo()
    return {"output": seed_months / "output", "warehouse": warehouse}


@pytest.fixture
def servers(published, workspace, monkeypatch, tmp_path):
    """The published month, a fresh delivery log, and SMTP and webhook servers behind the
    Airflow connections that delivery.yml and alerts.yml name."""
    monkeypatch.setenv("GRIDPULSE_OUTPUT_DIR", str(published["output"]))
    monkeypatch.setenv("GRIDPULSE_WAREHOUSE", str(published["warehouse"]))
    with SmtpServer(tmp_path) as smtp, WebhookServer() as hooks:
        monkeypatch.setenv("SSL_CERT_FILE", str(smtp.cert_path))  # the client verifies the server's certificate
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_SMTP", smtp.connection_json(FROM))
        smtp.sink.connection_uri = smtp.connection_uri(FROM)
        smtp.sink.connection_json = smtp.connection_json(FROM)
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_DINGTALK", hooks.connection_json("dt-token", DINGTALK_SECRET))
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_DINGTALK_OPS", hooks.connection_json("dt-ops-token", DINGTALK_SECRET))
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_WECOM", hooks.connection_json("wecom-key"))
        yield smtp.sink, hooks


def _addresses() -> dict[str, list[str]]:
    """address -> org codes, from the shipped delivery.yml."""
    listed: dict[str, list[str]] = {}
    for code, org in settings.delivery()["orgs"].items():
        for address in org.get("email") or []:
            listed.setdefault(address, []).append(code)
    return listed


def _ranking_from_marts(warehouse) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("SELECT rank, org_name, total_score FROM marts.rpt_ranking_monthly "
                           "WHERE period = ? AND scheme_id = 'yushui_township_2022' ORDER BY rank, org_id",
                           [PERIOD]).fetchall()
    finally:
        con.close()


def _attachments(message) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


def _expected_lines(warehouse) -> list[str]:
    """'rank. name：score分' of the top three and the bottom three, straight from the mart."""
    ranking = _ranking_from_marts(warehouse)
    return [f"{rank}. {name}：{score:.2f}分" for rank, name, score in ranking[:3] + ranking[-3:]]


def test_the_published_month_reaches_every_address_and_robot_once(servers, published):
    mail, hooks = servers
    listed = _addresses()
    result = pipeline.deliver(MONTH)

    assert sorted(m["rcpt_tos"][0] for m in mail.messages) == sorted(listed)  # each address, one message
    published_files = {name: (published["output"] / PERIOD / file).read_bytes() for file, name in ATTACHMENT_NAMES.items()}
    org_names = {code: org["name"] for code, org in settings.delivery()["orgs"].items()}
    ranking = _ranking_from_marts(published["warehouse"])
    for received in mail.messages:
        message, address = received["message"], received["rcpt_tos"][0]
        assert received["tls"] and received["authenticated"] and received["mail_from"] == FROM
        assert message["Subject"] == SUBJECT and message["To"] == address
        assert _attachments(message) == published_files  # names as recipients see them, bytes as published
        # 7-bit clean: Chinese names as RFC 2231 parameters (with continuations), body in base64
        assert received["raw"].isascii() and received["raw"].count(b"filename*0*=utf-8''") == 3
        body = message.get_body(("plain",)).get_content()
        assert body.startswith("、".join(org_names[c] for c in listed[address]) + "：")
        assert f"{ranking[0][1]}（{ranking[0][2]:.2f}分）" in body and f"{ranking[-1][1]}（{ranking[-1][2]:.2f}分）" in body

    [dingtalk] = hooks.at("/robot/send")
    query = dingtalk["query"]
    assert query["access_token"] == ["dt-token"]
    timestamp = query["timestamp"][0]
    expected_sign = base64.b64encode(hmac.new(DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(),
                                              hashlib.sha256).digest()).decode()
    assert query["sign"] == [expected_sign] and abs(time.time() * 1000 - int(timestamp)) < 600_000
    assert dingtalk["json"]["msgtype"] == "markdown"
    [wecom] = hooks.at("/cgi-bin/webhook/send")
    assert wecom["query"] == {"key": ["wecom-key"]} and wecom["json"]["msgtype"] == "markdown"
    for text in (dingtalk["json"]["markdown"]["text"], wecom["json"]["markdown"]["content"]):
        assert "2022年11月" in text and "共享目录“考核通报/2022-11”" in text
        lines = [line.strip() for line in text.splitlines() if line.strip()[:1].isdigit()]
        assert lines == _expected_lines(published["warehouse"])

    log_rows = DeliveryLog(config.paths().delivery_log).rows(PERIOD)
    assert {(r["channel"], r["recipient"], r["status"]) for r in log_rows} == \
        {("email", a, "sent") for a in listed} | {("dingtalk", "gridpulse_dingtalk", "sent"), ("wecom", "gridpulse_wecom", "sent")}
    sha = {name: hashlib.sha256(data).hexdigest() for name, data in published_files.items()}
    assert all(json.loads(r["files"]) == sha for r in log_rows)

    # the task retried: nothing goes out again
    again = pipeline.deliver(MONTH)
    assert len(mail.messages) == len(listed) and len(hooks.posts) == 2
    assert again["sent"] == [] and sorted(again["already_sent"]) == sorted(result["sent"])


def test_a_township_s_own_file_reaches_that_township_only(servers, tmp_path):
    mail, _ = servers
    jieshui_list = tmp_path / "界水乡待整改事项清单.xlsx"
    jieshui_list.write_bytes(b"jieshui follow-up " * 100)
    chengbei_list = tmp_path / "城北办待整改事项清单.xlsx"
    chengbei_list.write_bytes(b"chengbei follow-up " * 100)

    pipeline.deliver(MONTH, extra_attachments={JIESHUI: jieshui_list, CHENGBEI: [chengbei_list]})

    own = {JIESHUI: jieshui_list, CHENGBEI: chengbei_list}
    for address, codes in _addresses().items():
        [received] = mail.to(address)
        extra = {own[c].name: own[c].read_bytes() for c in codes if c in own}
        attachments = _attachments(received["message"])
        assert set(attachments) == set(ATTACHMENT_NAMES.values()) | set(extra)
        assert all(attachments[name] == data for name, data in extra.items())
    assert len(mail.to("sjzx-chengbei@yushui.example.org")) == 1  # both of 城北办's addresses get its list


def test_a_file_for_an_org_without_addresses_stops_before_anything_is_sent(servers, tmp_path):
    mail, hooks = servers
    stray = tmp_path / "list.xlsx"
    stray.write_bytes(b"x")
    with pytest.raises(ValueError, match="360502999"):
        pipeline.deliver(MONTH, extra_attachments={"360502999": stray})
    assert mail.messages == [] and hooks.posts == []


def test_a_refused_robot_fails_the_task_and_the_retry_sends_only_that(servers):
    mail, hooks = servers
    hooks.refuse.append("/cgi-bin/webhook/send")
    with pytest.raises(DeliveryFailed, match="wecom:gridpulse_wecom"):
        pipeline.deliver(MONTH)
    emails, posts = len(mail.messages), len(hooks.posts)
    assert emails == len(_addresses()) and [p["path"] for p in hooks.posts] == ["/robot/send"]

    retry = pipeline.deliver(MONTH)
    assert retry["sent"] == ["wecom:gridpulse_wecom"]
    assert len(mail.messages) == emails and len(hooks.posts) == posts + 1


def test_a_crash_between_recipients_resumes_with_the_rest_only(servers):
    """The delivering process is killed (SIGKILL) while the server takes its third message: the
    rerun sends to the others, not to the first two, and not the third (its outcome was unknown
    to the sender, so it is reported, not repeated); --resend-uncertain would send it."""
    mail, hooks = servers
    listed = _addresses()
    command = [sys.executable, "-m", "gridpulse", "deliver", "--period", PERIOD]
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=os.environ.copy(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    mail.kill_pid_at = (3, process.pid)
    process.communicate(timeout=300)
    assert process.returncode == -9 and len(mail.messages) == 3 and hooks.posts == []
    first_three = [m["rcpt_tos"][0] for m in mail.messages]
    statuses = {r["recipient"]: r["status"] for r in DeliveryLog(config.paths().delivery_log).rows(PERIOD)}
    assert statuses == {first_three[0]: "sent", first_three[1]: "sent", first_three[2]: "sending"}

    mail.kill_pid_at = None
    resumed = pipeline.deliver(MONTH)
    assert resumed["uncertain"] == [f"email:{first_three[2]}"]
    assert sorted(m["rcpt_tos"][0] for m in mail.messages) == sorted(listed)  # every address exactly once
    assert len(hooks.posts) == 2

    forced = subprocess.run(command + ["--resend-uncertain"], cwd=PROJECT_DIR, env=os.environ.copy(),
                            capture_output=True, text=True, timeout=300)
    assert forced.returncode == 0, forced.stderr
    assert len(mail.messages) == len(listed) + 1 and len(mail.to(first_three[2])) == 2


def test_a_failed_step_alerts_ops_with_the_district_the_month_and_what_to_do(servers, monkeypatch):
    mail, hooks = servers
    monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_SMTP", mail.connection_uri)  # the URI form reads the same
    # a month's quarantined export keeps its report under its export id
    report = config.paths().quarantine / PERIOD / "export-20221202-0001" / "validation_report.txt"
    report.parent.mkdir(parents=True)
    report.write_text("2022-11 导出 export-20221202-0001 校验未通过\n", encoding="utf-8")
    outcomes = pipeline.alert_failure("validate", PERIOD, RuntimeError("事件.csv 第 12 行 上报时间：不是日期"))

    [received] = mail.to("gridpulse-ops@yushui.example.org")
    message = received["message"]
    assert message["Subject"] == "【网格化考核告警】渝水区 2022年11月 validate 失败"
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "事件.csv 第 12 行 上报时间：不是日期" in body and f"见 {report}，" in body
    assert "地区：渝水区" in body and "###" not in body and "**" not in body  # plain text, no markup
    html = message.get_body(("html",)).get_content()
    assert f"见 {report}，" in html and "<th align='left' valign='top'>错误</th><td>RuntimeError: 事件.csv" in html
    [ops_post] = hooks.at("/robot/send")
    assert ops_post["query"]["access_token"] == ["dt-ops-token"]
    markdown = ops_post["json"]["markdown"]["text"]
    assert markdown.startswith("### 【网格化考核告警】渝水区 2022年11月 validate 失败") and f"见 {report}，" in markdown
    assert outcomes == [("email", "gridpulse-ops@yushui.example.org", "sent"), ("dingtalk", "gridpulse_dingtalk_ops", "sent")]
    assert [(a["task_id"], a["status"]) for a in DeliveryLog(config.paths().delivery_log).alerts()] == [("validate", "sent")] * 2


def test_an_alert_names_the_report_the_rejected_export_got(workspace):
    from gridpulse.delivery.alerts import alert
    from gridpulse.problems import ExportRejected

    named = "/data/quarantine/2022-11/export-b/validation_report.txt"
    made = alert("validate", PERIOD, ExportRejected("2022-11 导出 export-b 校验未通过", [], named))
    assert f"见 {named}，" in made.text()
    # without a report anywhere, the month's quarantine folder
    assert f"见 {config.paths().quarantine / PERIOD}，" in alert("validate", PERIOD, "error").text()


def test_a_dbt_model_task_gets_its_group_s_hint_and_an_unreachable_server_does_not_raise(servers, monkeypatch):
    mail, hooks = servers
    monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_SMTP", '{"conn_type": "smtp", "host": "127.0.0.1", "port": 9, '
                                                      '"extra": {"from_email": "a@b.example.org", "disable_ssl": true}}')
    outcomes = pipeline.alert_failure("dbt_build.stg_events_run", PERIOD, "dbt test failed")
    assert outcomes[0][::2] == ("email", "failed") and outcomes[1] == ("dingtalk", "gridpulse_dingtalk_ops", "sent")
    assert mail.messages == []
    text = hooks.at("/robot/send")[0]["json"]["markdown"]["text"]
    assert settings.alerts()["hints"]["dbt_build"] in text and "dbt_build.stg_events_run" in text


@pytest.mark.airflow
def test_a_connection_added_with_airflow_connections_add_is_used_by_the_cli(servers, tmp_path):
    """The operator adds the SMTP connection to Airflow's database (`airflow connections add`, as
    the UI would), not to the environment: `python -m gridpulse connections` says where it found
    it, and `python -m gridpulse deliver` sends the month through it."""
    mail, _ = servers
    airflow = [os.path.join(os.path.dirname(sys.executable), "airflow")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN_")} | {"AIRFLOW_HOME": str(tmp_path / "airflow")}
    for args in (["db", "migrate"], ["connections", "add", "gridpulse_smtp", "--conn-json", mail.connection_json]):
        done = subprocess.run(airflow + args, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr

    listed = subprocess.run([sys.executable, "-m", "gridpulse", "connections"], cwd=PROJECT_DIR, env=env,
                            capture_output=True, text=True, timeout=300)
    assert listed.returncode == 0, listed.stderr
    [line] = [line for line in listed.stdout.splitlines() if line.split()[:2] == ["bulletin", "email"]]
    assert f"on: Airflow database (sqlite:///{tmp_path / 'airflow' / 'airflow.db'}" in line, listed.stdout
    assert "127.0.0.1" in line and "login gridpulse" in line and "s3cret" not in listed.stdout
    assert "off: no connection `gridpulse_wecom`" in listed.stdout

    sent = subprocess.run([sys.executable, "-m", "gridpulse", "deliver", "--period", PERIOD], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=300)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert sorted(m["rcpt_tos"][0] for m in mail.messages) == sorted(_addresses())
    assert all(m["authenticated"] and m["tls"] for m in mail.messages)
