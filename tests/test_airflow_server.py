"""The month runs on a real Airflow: `python -m gridpulse.airflow_local` (what `make airflow` runs)
starts scheduler, API server, DAG processor and triggerer on loopback; the tests drive it through
the REST API as a data engineer would, and stop every process it started.

When the DAG is unpaused, Airflow creates the scheduled run of the latest complete month, which
waits for an export these tests never drop. With one run at a time (the warehouse has one
writer) it would hold the queue for days, so the tests mark it failed, as an operator would
before re-running older months.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import psutil
import pytest

from conftest import PROJECT_DIR
from exports import drop_month
from servers import SmtpServer, WebhookServer

MONTHS = ["2022-09", "2022-10", "2022-11"]
RUN_TIMEOUT = 1500


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "Airflow exited while starting"
        try:
            health = httpx.get(f"{url}/api/v2/monitor/health", timeout=5).json()
            if all(health.get(part, {}).get("status") == "healthy"
                   for part in ("metadatabase", "scheduler", "triggerer", "dag_processor")):
                return
        except httpx.HTTPError:
            pass
        time.sleep(2)
    raise TimeoutError(f"Airflow at {url} was not healthy within {timeout} s")


@pytest.fixture(scope="module")
def mail_and_robots(tmp_path_factory):
    """A real SMTP server (STARTTLS, AUTH) and a webhook server for the robots, on loopback."""
    with SmtpServer(tmp_path_factory.mktemp("smtp")) as smtp, WebhookServer() as hooks:
        yield smtp, hooks


@pytest.fixture(scope="module")
def airflow_server(demo_month, tmp_path_factory, mail_and_robots):
    """A real Airflow for this module, with three demo months waiting in its landing folder and
    its delivery connections pointing at the loopback mail server and robots."""
    from gridpulse.demo import generate

    smtp, hooks = mail_and_robots
    root = tmp_path_factory.mktemp("airflow-server")
    for period in MONTHS:
        export = demo_month if period == "2022-11" else generate(period, root / "exports")
        drop_month(export, root / "landing")
    port = _free_port()
    env = os.environ | {
        "AIRFLOW_HOME": str(root / "airflow"), "GRIDPULSE_SOURCE_DIR": str(root / "landing"),
        "GRIDPULSE_DATA_DIR": str(root / "data"), "GRIDPULSE_OUTPUT_DIR": str(root / "output"),
        "GRIDPULSE_DELIVERY": "on", "SSL_CERT_FILE": str(smtp.cert_path),
        "AIRFLOW_CONN_GRIDPULSE_SMTP": smtp.connection_json("zzzx-noreply@yushui.example.org"),
        "AIRFLOW_CONN_GRIDPULSE_DINGTALK": hooks.connection_json("dt-token", "SEC-test-secret"),
        "AIRFLOW_CONN_GRIDPULSE_WECOM": hooks.connection_json("wecom-key"),
    }
    env.pop("GRIDPULSE_WAREHOUSE", None)
    log = open(root / "airflow.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "gridpulse.airflow_local", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_DIR)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server)
        started = psutil.Process(server.pid).children(recursive=True)
        yield {"url": url, "root": root, "env": env, "server": server, "started": started,
               "smtp": smtp, "hooks": hooks}
    finally:
        server.send_signal(signal.SIGINT)  # what Ctrl-C on `make airflow` sends
        try:
            server.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def _api(server):
    from gridpulse.airflow_api import AirflowApi
    from gridpulse.airflow_local import admin_password

    return AirflowApi(server["url"], "admin", admin_password(server["root"] / "airflow"))


def _fail_scheduled_runs(api) -> None:
    for run in api.runs(run_type="scheduled"):
        if run["state"] in {"queued", "running"}:
            api._call("PATCH", f"/dags/gridpulse_monthly/dagRuns/{run['dag_run_id']}",
                      json={"state": "failed", "note": "no export for this month in the test"})


def _wait(api, run_ids: list[str]) -> dict[str, str]:
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        _fail_scheduled_runs(api)
        states = api.wait(run_ids, timeout=15)
        if all(state in {"success", "failed"} for state in states.values()):
            return states
    return states


def _marts(server) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(server["root"] / "data" / "warehouse" / "gridpulse.duckdb"), read_only=True)


def test_a_month_triggered_through_the_rest_api_publishes_its_outputs(airflow_server):
    api = _api(airflow_server)
    api.unpause()
    run_id = api.trigger("2022-11")
    states = _wait(api, [run_id])
    assert states == {run_id: "success"}, f"failed tasks: {api.failed_tasks(run_id)}"

    output = airflow_server["root"] / "output" / "2022-11"
    for name in ("bulletin.pdf", "bulletin.docx", "bulletin.html", "ranking.xlsx", "ranking.csv"):
        assert (output / name).stat().st_size > 0, name
    with _marts(airflow_server) as db:
        assert db.execute("select count(*) from marts.rpt_ranking_monthly where period = '2022-11'"
                      " and scheme_id = 'yushui_township_2022'").fetchone()[0] == 17
    # every dbt model ran as its own task and reported success
    tasks = api._call("GET", f"/dags/gridpulse_monthly/dagRuns/{run_id}/taskInstances", params={"limit": 200})
    model_tasks = {ti["task_id"]: ti["state"] for ti in tasks["task_instances"] if ti["task_id"].endswith("_run")}
    models = {path.stem for path in (PROJECT_DIR / "dbt_project" / "models").rglob("*.sql")}
    assert model_tasks == {f"dbt_build.{model}_run": "success" for model in models}
    # downstream DAGs learn of the new month from the marts' asset events
    events = api._call("GET", "/assets/events", params={"source_dag_id": "gridpulse_monthly", "source_run_id": run_id})
    announced = {event["uri"]: event["extra"].get("period") for event in events["asset_events"]}
    assert announced["gridpulse://warehouse/marts/rpt_ranking_monthly"] == "2022-11"


def test_the_delivery_task_sent_the_month_once_and_a_retry_sends_nothing(airflow_server):
    from gridpulse.delivery import settings

    smtp, hooks = airflow_server["smtp"], airflow_server["hooks"]
    bulletins = [m for m in smtp.sink.messages if "2022年11月" in m["message"]["subject"]]
    addresses = {address for org in settings.delivery()["orgs"].values() for address in org.get("email") or []}
    assert sorted(address for m in bulletins for address in m["rcpt_tos"]) == sorted(addresses)
    pdf = (airflow_server["root"] / "output" / "2022-11" / "bulletin.pdf").read_bytes()
    for message in bulletins:
        attached = {part.get_filename(): part.get_content() for part in message["message"].iter_attachments()}
        assert any(name.endswith(".pdf") and body == pdf for name, body in attached.items())
        # a township's address also gets that township's follow-up list; the district's does not
        township = [code for code, org in settings.delivery()["orgs"].items()
                    if message["rcpt_tos"][0] in (org.get("email") or [])][0]
        assert len(attached) == (3 if township == "360502" else 4), (township, sorted(attached))
    [dingtalk], [wecom] = hooks.at("/robot/send"), hooks.at("/cgi-bin/webhook/send")
    timestamp = dingtalk["query"]["timestamp"][0]
    digest = hmac.new(b"SEC-test-secret", f"{timestamp}\nSEC-test-secret".encode(), hashlib.sha256).digest()
    assert dingtalk["query"]["sign"] == [base64.b64encode(digest).decode()]
    assert wecom["query"]["key"] == ["wecom-key"] and "2022年11月" in wecom["json"]["markdown"]["content"]
    posts = 2

    api = _api(airflow_server)
    [run] = [run for run in api.runs(run_type="manual") if run["state"] == "success"]
    sent = len(smtp.sink.messages)
    api._call("POST", "/dags/gridpulse_monthly/clearTaskInstances",
              json={"dag_run_id": run["dag_run_id"], "task_ids": ["deliver"], "dry_run": False, "only_failed": False})
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        tasks = api._call("GET", f"/dags/gridpulse_monthly/dagRuns/{run['dag_run_id']}/taskInstances/deliver")
        if tasks["state"] == "success" and tasks["try_number"] > 1:
            break
        time.sleep(3)
    assert tasks["state"] == "success" and tasks["try_number"] > 1
    assert len(smtp.sink.messages) == sent  # the delivery log knew every address had it
    assert len(hooks.at("/robot/send")) + len(hooks.at("/cgi-bin/webhook/send")) == posts


def test_one_command_backfills_three_months_with_rank_changes(airflow_server):
    with _marts(airflow_server) as db:
        rows_before = db.execute("select count(*) from marts.fct_score_monthly where period = '2022-11'").fetchone()[0]
    command = subprocess.Popen(
        [sys.executable, "-m", "gridpulse.airflow_api", "--url", airflow_server["url"], "--timeout", str(RUN_TIMEOUT),
         "backfill", "--from", MONTHS[0], "--to", MONTHS[-1]],
        env=airflow_server["env"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=PROJECT_DIR)
    api = _api(airflow_server)
    while command.poll() is None:  # the backfill's runs queue behind the latest month's scheduled run
        _fail_scheduled_runs(api)
        time.sleep(5)
    report = command.stdout.read()
    assert command.returncode == 0, report
    assert report.count(": success") == 3, report

    for period in MONTHS:
        assert (airflow_server["root"] / "output" / period / "bulletin.pdf").exists(), period
    with _marts(airflow_server) as db:
        ranks = db.execute("""select period, count(*) as townships, count(rank_change) as with_change
                          from marts.rpt_ranking_monthly where scheme_id = 'yushui_township_2022'
                          group by period order by period""").fetchall()
        rows_after = db.execute("select count(*) from marts.fct_score_monthly where period = '2022-11'").fetchone()[0]
    assert ranks == [("2022-09", 17, 0), ("2022-10", 17, 17), ("2022-11", 17, 17)]
    assert rows_after == rows_before  # the month ran twice; its results were replaced, not doubled


def test_stopping_airflow_leaves_no_process_behind(airflow_server):
    """Runs last in this module: stops the server the way Ctrl-C does and checks every process."""
    server, started = airflow_server["server"], airflow_server["started"]
    assert started, "standalone started no component processes"
    server.send_signal(signal.SIGINT)
    server.wait(90)
    gone, alive = psutil.wait_procs(started, timeout=30)
    assert alive == [], f"left running: {[(p.pid, p.name()) for p in alive]}"
    assert server.returncode is not None
