"""The month runs on a real Airflow: `python -m gridpulse.orchestration.airflow_local` (what `make airflow` runs)
starts scheduler, API server, DAG processor and triggerer on loopback; the tests drive it through
the REST API as a data engineer would, and stop every process it started.

Nothing is done about scheduled runs: a month's scheduled run exists only from its run day (the
DAG's timetable), and one that waits for its export does not hold back a manual run or a backfill.
The backfill runs before any delivery connection exists, so its `deliver` tasks are skipped with
their reason; the operator then adds the connections through the REST API and clears November's
`deliver`, which sends the month. The task logs the REST API serves are kept in the module's folder
(task_logs.txt) as an operator would read them.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import httpx
import psutil
import pytest

from conftest import PROJECT_DIR
from exports import drop_month
from servers import SmtpServer, WebhookServer, stop_process

pytestmark = [pytest.mark.airflow, pytest.mark.month]

MONTHS = ["2022-10", "2022-11"]   # backfilled after 2022-11 was triggered
BROKEN_MONTH = "2022-08"           # its export's manifest says another month: validation fails
MISSING_MONTH = "2022-07"          # no export: its run waits for one
RUN_TIMEOUT = 1500
CONNECTIONS = ("gridpulse_smtp", "gridpulse_dingtalk", "gridpulse_wecom")


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
def airflow_server(small_month, tmp_path_factory, mail_and_robots):
    """A real Airflow for this module, with three demo months waiting in its landing folder, and
    the delivery connections (added by a test) pointing at the loopback mail server and robots.
    The months are the demo's at a tenth of its rows (two of its townships): the subject is what
    Airflow does with a month, which is the same at any size."""
    from gridpulse.demo import generate

    from exports import edit_manifest

    smtp, hooks = mail_and_robots
    root = tmp_path_factory.mktemp("airflow-server")
    for period in MONTHS:
        export = small_month if period == "2022-11" else generate(period, root / "exports", scale=0.1)
        drop_month(export, root / "landing")
    broken = root / "landing" / BROKEN_MONTH
    shutil.copytree(small_month, broken)
    edit_manifest(broken, lambda manifest: manifest.update(period=BROKEN_MONTH))
    port = _free_port()
    env = os.environ | {
        "AIRFLOW_HOME": str(root / "airflow"), "GRIDPULSE_SOURCE_DIR": str(root / "landing"),
        "GRIDPULSE_DATA_DIR": str(root / "data"), "GRIDPULSE_OUTPUT_DIR": str(root / "output"),
        "GRIDPULSE_DELIVERY": "on", "SSL_CERT_FILE": str(smtp.cert_path),
    }
    connections = {"gridpulse_smtp": smtp.connection_json("zzzx-noreply@yushui.example.org"),
                   "gridpulse_dingtalk": hooks.connection_json("dt-token", "SEC-test-secret"),
                   "gridpulse_wecom": hooks.connection_json("wecom-key")}
    env.pop("GRIDPULSE_WAREHOUSE", None)
    log = open(root / "airflow.log", "wb")  # noqa: SIM115 (the server writes it until the test stops it)
    server = subprocess.Popen([sys.executable, "-m", "gridpulse.orchestration.airflow_local", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_DIR)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server)
        started = psutil.Process(server.pid).children(recursive=True)
        yield {"url": url, "root": root, "env": env, "server": server, "started": started,
               "smtp": smtp, "hooks": hooks, "connections": connections}
    finally:
        stop_process(server, grace=90)  # SIGTERM: airflow_local stops every component it started
        log.close()


def _api(server):
    from gridpulse.orchestration.airflow_api import AirflowApi
    from gridpulse.orchestration.airflow_local import admin_password

    return AirflowApi(server["url"], "admin", admin_password(server["root"] / "airflow"))


def _wait(api, run_ids: list[str]) -> dict[str, str]:
    return api.wait(run_ids, timeout=RUN_TIMEOUT)


def _add_connection(api, conn_id: str, as_json: str) -> None:
    fields = json.loads(as_json)
    api.call("POST", "/connections", json={"connection_id": conn_id, **{k: v for k, v in fields.items() if k != "extra"},
                                            "extra": json.dumps(fields.get("extra") or {})})


def _task_log(api, run_id: str, task_id: str) -> str:
    """A task's log as the REST API serves it (the last try), one line per event."""
    ti = api.call("GET", f"/dags/gridpulse_monthly/dagRuns/{run_id}/taskInstances/{task_id}")
    content = api.call("GET", f"/dags/gridpulse_monthly/dagRuns/{run_id}/taskInstances/{task_id}/logs/{ti['try_number']}",
                        params={"full_content": True})["content"]
    lines = [entry.get("event", "") if isinstance(entry, dict) else str(entry) for entry in content]
    return "\n".join(line for line in lines if line)


def _keep_log(server, title: str, text: str) -> None:
    with open(server["root"] / "task_logs.txt", "a", encoding="utf-8") as out:
        out.write(f"===== {title}\n{text}\n")


def _marts(server) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(server["root"] / "data" / "warehouse" / "gridpulse.duckdb"), read_only=True)


def _townships(server, period: str) -> set[str]:
    with _marts(server) as db:
        return {code for (code,) in db.execute("select distinct org_id from marts.rpt_ranking_monthly where period = ?"
                                                " and scheme_id = 'yushui_township_2022'", [period]).fetchall()}


def test_make_airflow_says_which_channels_are_configured(airflow_server):
    printed = (airflow_server["root"] / "airflow.log").read_text(encoding="utf-8", errors="replace")
    assert "Delivery and alert channels" in printed
    for conn_id in CONNECTIONS:  # created later, through the REST API: none exists at start
        assert f"{conn_id}" in printed and f"off: no connection `{conn_id}`" in printed


@pytest.fixture(scope="module")
def trigger_of_a_month_without_export(airflow_server):
    """`make trigger` of MISSING_MONTH, which has no export, with a 40 s timeout: started in the
    background, so that its wait goes on while the backfill runs. Its output goes to files."""
    stdout, stderr = (airflow_server["root"] / f"trigger-{MISSING_MONTH}.{name}" for name in ("out", "err"))
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        command = subprocess.Popen(
            [sys.executable, "-m", "gridpulse.orchestration.airflow_api", "--url", airflow_server["url"], "--timeout", "40",
             "trigger", "--period", MISSING_MONTH],
            env=airflow_server["env"], stdout=out, stderr=err, cwd=PROJECT_DIR)
    yield {"command": command, "stdout": stdout, "stderr": stderr}
    stop_process(command)  # still waiting for the month that never comes


WAITING_FOR_EXPORT = (rf"manual__{MISSING_MONTH}__\S+: running: wait_for_export up_for_reschedule "
                      r"\(the month's export is not complete in the source yet\)")


def test_make_trigger_says_what_it_waits_for(trigger_of_a_month_without_export):
    """2022-07 has no export: the run waits for it (for days), and `make trigger` says so. The
    command goes on waiting while the next tests backfill and fail other months."""
    command, stdout = trigger_of_a_month_without_export["command"], trigger_of_a_month_without_export["stdout"]
    deadline = time.monotonic() + 120
    while not re.search(WAITING_FOR_EXPORT, stdout.read_text(encoding="utf-8")):
        assert command.poll() is None and time.monotonic() < deadline, stdout.read_text(encoding="utf-8")
        time.sleep(1)


def test_one_command_backfills_two_months_and_publishes_each(airflow_server):
    """`make backfill` of 2022-10 .. 2022-11: both months publish, every dbt model as its own task,
    and their delivery is skipped with its reason, since no channel has a connection yet."""
    api = _api(airflow_server)
    sent = len(airflow_server["smtp"].sink.messages)
    command = subprocess.Popen(
        [sys.executable, "-m", "gridpulse.orchestration.airflow_api", "--url", airflow_server["url"], "--timeout", str(RUN_TIMEOUT),
         "backfill", "--from", MONTHS[0], "--to", MONTHS[-1]],
        env=airflow_server["env"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=PROJECT_DIR)
    report = command.communicate(timeout=RUN_TIMEOUT + 300)[0]
    _keep_log(airflow_server, "make backfill's output", report)
    assert command.returncode == 0, report
    assert re.search(r"Waiting up to \d+ s for 2 run\(s\)", report), report
    finished = report.split("\nFinished:\n")[1]
    assert finished.count(": success") == 2, report
    runs = api.backfill_runs(MONTHS)
    # Airflow 3.3 names a backfill's runs after their run day: the month is in the note the UI shows
    assert sorted(run["note"] for run in runs) == [f"{month} 考核月 / assessed month {month}" for month in MONTHS]
    models = {path.stem for path in (PROJECT_DIR / "dbt_project" / "models").rglob("*.sql")}
    run_of = {month: run["dag_run_id"] for month in MONTHS for run in api.backfill_runs([month])}
    for month, run_id in run_of.items():
        # every dbt model ran as its own task and reported success
        tasks = api.call("GET", f"/dags/gridpulse_monthly/dagRuns/{run_id}/taskInstances", params={"limit": 200})
        model_tasks = {ti["task_id"]: ti["state"] for ti in tasks["task_instances"] if ti["task_id"].endswith("_run")}
        assert model_tasks == {f"dbt_build.{model}_run": "success" for model in models}
        deliver = api.call("GET", f"/dags/gridpulse_monthly/dagRuns/{run_id}/taskInstances/deliver")
        assert deliver["state"] == "skipped", deliver
        log = _task_log(api, run_id, "deliver")
        _keep_log(airflow_server, f"backfill {run_id}: deliver", log)
        assert "no Airflow connection `gridpulse_smtp`" in log and "nothing sent" in log, log
        # downstream DAGs learn of the new month from the marts' asset events
        events = api.call("GET", "/assets/events", params={"source_dag_id": "gridpulse_monthly", "source_run_id": run_id})
        announced = {event["uri"]: event["extra"].get("period") for event in events["asset_events"]}
        assert announced["gridpulse://warehouse/marts/rpt_ranking_monthly"] == month
    assert len(airflow_server["smtp"].sink.messages) == sent
    from gridpulse.delivery.log import DeliveryLog

    env = airflow_server["env"]
    skipped = [row for row in DeliveryLog(Path(env["GRIDPULSE_DATA_DIR"]) / "delivery" / "log.sqlite").rows("2022-10")]
    assert skipped and {row["status"] for row in skipped} == {"skipped"}
    assert all("no Airflow connection" in row["detail"] for row in skipped)

    november = run_of["2022-11"]
    validate_log = _task_log(api, november, "validate")
    _keep_log(airflow_server, f"backfill {november}: validate", validate_log)
    for task_id in ("load", "publish"):
        _keep_log(airflow_server, f"backfill {november}: {task_id}", _task_log(api, november, task_id))
    from gridpulse.config import platform_mapping

    for spec in platform_mapping()["files"].values():  # one line per file: rows, encoding, checks
        [line] = [line for line in validate_log.splitlines() if line.startswith(f"{spec['file']}: ")]
        assert " rows, " in line and "GX checks" in line and " passed" in line, line
    assert re.search(r"PASSED 2022-11 export \S+: \d+ files, \d+ rows; report /", validate_log), validate_log
    for period in MONTHS:
        for name in ("bulletin.pdf", "bulletin.docx", "bulletin.html", "ranking.xlsx", "ranking.csv"):
            assert (airflow_server["root"] / "output" / period / name).stat().st_size > 0, (period, name)
    with _marts(airflow_server) as db:
        ranks = db.execute("""select period, count(*) as townships, count(rank_change) as with_change
                          from marts.rpt_ranking_monthly where scheme_id = 'yushui_township_2022'
                          group by period order by period""").fetchall()
    townships = _townships(airflow_server, "2022-11")
    assert len(townships) > 1
    assert ranks == [("2022-10", len(townships), 0), ("2022-11", len(townships), len(townships))]
    # a scheduled run exists only from its month's run day, and none held the backfill back
    from gridpulse.orchestration.schedule import TIMEZONE

    for scheduled in api.runs(run_type="scheduled"):
        assert datetime.fromisoformat(scheduled["run_after"].replace("Z", "+00:00")) <= datetime.now(UTC)
        assert scheduled["dag_run_id"] == "scheduled__" + datetime.fromisoformat(
            scheduled["logical_date"].replace("Z", "+00:00")).astimezone(ZoneInfo(TIMEZONE)).strftime("%Y-%m")


def test_a_failed_month_says_which_task_failed_and_why_first(airflow_server):
    api = _api(airflow_server)
    run_id = api.trigger(BROKEN_MONTH)
    assert run_id.startswith(f"manual__{BROKEN_MONTH}__")  # the run list reads as months
    assert _wait(api, [run_id]) == {run_id: "failed"}
    assert api.failed_tasks(run_id)[0] == "validate"
    log = _task_log(api, run_id, "validate")
    _keep_log(airflow_server, f"failed month {run_id}: validate", log)
    assert f"REJECTED {BROKEN_MONTH} export" in log and "validation_report.txt" in log, log
    failed_at = log.index(f"FAILED validate for {BROKEN_MONTH}")
    assert "ExportRejected" in log[failed_at:failed_at + 300]
    # the alert's outcome is in the task log, not only in a collapsed section
    assert "alert email gridpulse-ops@yushui.example.org: skipped: no Airflow connection `gridpulse_smtp`" in log
    # the run gave the deployment back: the next month may go
    release = api.call("GET", f"/dags/gridpulse_monthly/dagRuns/{run_id}/taskInstances/release_deployment")
    assert release["state"] == "success"


def test_with_connections_added_a_cleared_deliver_task_sends_the_month_once(airflow_server):
    """The operator adds the delivery connections through the REST API and clears November's
    skipped `deliver` task: the month goes out to every address and robot, once; clearing it
    again sends nothing (the delivery log knows every address has it)."""
    from gridpulse.delivery import settings

    api = _api(airflow_server)
    for conn_id, as_json in airflow_server["connections"].items():
        _add_connection(api, conn_id, as_json)
    [november] = [run["dag_run_id"] for run in api.backfill_runs(MONTHS[-1:])]
    smtp, hooks = airflow_server["smtp"], airflow_server["hooks"]
    _clear_and_wait(api, november, "deliver", tries=2)
    bulletins = [m for m in smtp.sink.messages if "2022年11月" in m["message"]["subject"]]
    addresses = {address for org in settings.delivery()["orgs"].values() for address in org.get("email") or []}
    assert sorted(address for m in bulletins for address in m["rcpt_tos"]) == sorted(addresses)
    pdf = (airflow_server["root"] / "output" / "2022-11" / "bulletin.pdf").read_bytes()
    townships, listed = _townships(airflow_server, "2022-11"), set()
    for message in bulletins:
        attached = {part.get_filename(): part.get_content() for part in message["message"].iter_attachments()}
        assert any(name.endswith(".pdf") and body == pdf for name, body in attached.items())
        # a township of the month's also gets its own follow-up list; the district and townships
        # without a list (not in this month's export) get the bulletin and the ranking tables
        org = [code for code, org in settings.delivery()["orgs"].items()
               if message["rcpt_tos"][0] in (org.get("email") or [])][0]
        assert len(attached) == (4 if org in townships else 3), (org, sorted(attached))
        listed |= {org} & townships
    assert listed == townships
    [dingtalk], [wecom] = hooks.at("/robot/send"), hooks.at("/cgi-bin/webhook/send")
    timestamp = dingtalk["query"]["timestamp"][0]
    digest = hmac.new(b"SEC-test-secret", f"{timestamp}\nSEC-test-secret".encode(), hashlib.sha256).digest()
    assert dingtalk["query"]["sign"] == [base64.b64encode(digest).decode()]
    assert wecom["query"]["key"] == ["wecom-key"] and "2022年11月" in wecom["json"]["markdown"]["content"]
    posts = 2

    sent = len(smtp.sink.messages)
    _clear_and_wait(api, november, "deliver", tries=3)
    assert len(smtp.sink.messages) == sent  # the delivery log knew every address had it
    assert len(hooks.at("/robot/send")) + len(hooks.at("/cgi-bin/webhook/send")) == posts


def _clear_and_wait(api, run_id: str, task_id: str, tries: int) -> None:
    """Clear a finished task (as the UI's Clear does) and wait for its `tries`-th try to succeed."""
    api.call("POST", "/dags/gridpulse_monthly/clearTaskInstances",
             json={"dag_run_id": run_id, "task_ids": [task_id], "dry_run": False, "only_failed": False})
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        task = api.call("GET", f"/dags/gridpulse_monthly/dagRuns/{run_id}/taskInstances/{task_id}")
        if task["state"] == "success" and task["try_number"] >= tries:
            break
        time.sleep(3)
    assert task["state"] == "success" and task["try_number"] >= tries, task


def test_make_trigger_gives_up_after_its_timeout_and_the_waiting_run_held_nothing_back(airflow_server,
                                                                                       trigger_of_a_month_without_export):
    """The trigger of 2022-07 (test_make_trigger_says_what_it_waits_for) gave up after 40 s, while
    the backfill ran; its run still waits for the export, and the months after it ran meanwhile."""
    trigger = trigger_of_a_month_without_export
    returncode = trigger["command"].wait(timeout=600)
    printed, said = trigger["stdout"].read_text(encoding="utf-8"), trigger["stderr"].read_text(encoding="utf-8")
    _keep_log(airflow_server, "make trigger of a month without an export", printed + said)
    assert returncode == 4, printed + said
    assert re.search(WAITING_FOR_EXPORT, printed), printed
    assert f"Gave up waiting after 40 s (--timeout): manual__{MISSING_MONTH}__" in said
    from gridpulse.orchestration.airflow_api import WAITING_TASK_STATES

    api = _api(airflow_server)
    [waiting] = [run["dag_run_id"] for run in api.runs() if run["dag_run_id"].startswith(f"manual__{MISSING_MONTH}__")]
    tasks = api.call("GET", f"/dags/gridpulse_monthly/dagRuns/{waiting}/taskInstances", params={"limit": 200})
    states = {ti["task_id"]: ti["state"] for ti in tasks["task_instances"]}
    assert api.run(waiting)["state"] == "running"
    assert states["wait_for_export"] in WAITING_TASK_STATES and states["claim_deployment"] is None, states


def test_stopping_airflow_leaves_no_process_behind(airflow_server):
    """Runs last in this module: stops the server the way Ctrl-C does and checks every process."""
    server, started = airflow_server["server"], airflow_server["started"]
    assert started, "standalone started no component processes"
    server.send_signal(signal.SIGINT)
    server.wait(90)
    gone, alive = psutil.wait_procs(started, timeout=30)
    assert alive == [], f"left running: {[(p.pid, p.name()) for p in alive]}"
    assert server.returncode is not None
