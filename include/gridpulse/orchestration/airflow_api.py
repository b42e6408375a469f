"""Drive a running Airflow through its REST API: trigger a month, backfill months, wait for them.

`make backfill FROM=2022-09 TO=2022-11` and `make trigger PERIOD=2022-11` call this against the
Airflow that `make airflow` started (or any Airflow 3 API server: --url, --user, --password); in a
deployment of several districts, `DISTRICT=<code>` (--district) names the district's DAG.
The DAG is unpaused first: Airflow starts no run, not even a backfill's, of a paused DAG.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

from gridpulse.period import Period

DAG_ID = "gridpulse_monthly"
TIMEZONE = ZoneInfo("Asia/Shanghai")
FINISHED = {"success", "failed"}
BACKFILL_ATTEMPTS = 6
WAITING_TASK_STATES = {"running", "queued", "scheduled", "up_for_reschedule", "up_for_retry", "deferred"}
# why a task in one of those states waits, for the operator watching `make trigger`
WAITS = {"wait_for_export": "the month's export is not complete in the source yet",
         "claim_deployment": "another run holds the deployment (one month at a time)"}


class AirflowApi:
    def __init__(self, url: str, user: str, password: str):
        self.url = url.rstrip("/")
        token = httpx.post(f"{self.url}/auth/token", json={"username": user, "password": password}, timeout=30)
        token.raise_for_status()
        # SQLite metadata has one writer: on a busy machine a call may wait on the scheduler's writes
        self.http = httpx.Client(base_url=f"{self.url}/api/v2", timeout=180,
                                 headers={"Authorization": f"Bearer {token.json()['access_token']}"})

    def call(self, method: str, path: str, **kwargs) -> dict:
        response = self.http.request(method, path, **kwargs)
        if response.is_error:
            raise RuntimeError(f"Airflow API {method} {path}: {response.status_code} {response.text}")
        return response.json()

    def unpause(self, dag_id: str = DAG_ID) -> None:
        self.call("PATCH", f"/dags/{dag_id}", json={"is_paused": False})

    def trigger(self, period: str, dag_id: str = DAG_ID) -> str:
        """Start a run that assesses `period`; return its run id."""
        month = str(Period.parse(period))
        run_id = f"manual__{month}__{datetime.now(TIMEZONE):%Y%m%dT%H%M%S}"  # the UI lists runs by month
        run = self.call("POST", f"/dags/{dag_id}/dagRuns",
                         json={"dag_run_id": run_id, "logical_date": None, "conf": {"period": month}})
        return run["dag_run_id"]

    def backfill(self, first: str, last: str, dag_id: str = DAG_ID) -> int:
        """Backfill the months first..last (both included), one at a time; return the backfill id.
        A month already assessed is assessed again (its results are replaced, never doubled)."""
        body = {"dag_id": dag_id, "from_date": _month_start(first).isoformat(), "to_date": _month_start(last).isoformat(),
                "reprocess_behavior": "completed", "max_active_runs": 1}
        # on SQLite metadata, creating a backfill while the scheduler writes answers 503 "Database is
        # locked": it is refused whole, so asking again a little later is safe
        for attempt in range(BACKFILL_ATTEMPTS):
            response = self.http.post("/backfills", json=body)
            if response.status_code != 503 or attempt == BACKFILL_ATTEMPTS - 1:
                break
            print(f"Airflow is busy ({response.json().get('detail')}); asking again in 5 s", flush=True)
            time.sleep(5)
        if response.is_error:
            raise RuntimeError(f"Airflow API POST /backfills: {response.status_code} {response.text}")
        return response.json()["id"]

    def run(self, run_id: str, dag_id: str = DAG_ID) -> dict:
        return self.call("GET", f"/dags/{dag_id}/dagRuns/{run_id}")

    def runs(self, dag_id: str = DAG_ID, **filters) -> list[dict]:
        return self.call("GET", f"/dags/{dag_id}/dagRuns", params={"limit": 100, **filters})["dag_runs"]

    def backfill_runs(self, months: list[str], dag_id: str = DAG_ID) -> list[dict]:
        """The backfill runs of these months (a month's logical date is its first instant)."""
        starts = {_month_start(month) for month in months}
        return [run for run in self.runs(dag_id, run_type="backfill")
                if datetime.fromisoformat(run["logical_date"].replace("Z", "+00:00")) in starts]

    def failed_tasks(self, run_id: str, dag_id: str = DAG_ID) -> list[str]:
        instances = self.call("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 200})
        return [ti["task_id"] for ti in instances["task_instances"] if ti["state"] in {"failed", "upstream_failed"}]

    def task_log(self, run_id: str, task_id: str, dag_id: str = DAG_ID) -> list[str]:
        """The lines of a task's last try, as the UI shows them."""
        base = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}"
        tries = self.call("GET", base)["try_number"]
        content = self.call("GET", f"{base}/logs/{tries}", params={"full_content": True})["content"]
        return [entry.get("event", "") if isinstance(entry, dict) else str(entry) for entry in content]

    def failure_cause(self, run_id: str, task_id: str, dag_id: str = DAG_ID) -> str:
        """The line the failure callback writes first: the failed task and its error."""
        causes = [line for line in self.task_log(run_id, task_id, dag_id) if line.startswith("FAILED ")]
        return causes[0] if causes else "see the task's log"

    def waiting_on(self, run_id: str, dag_id: str = DAG_ID) -> list[str]:
        """What an unfinished run is doing: its tasks that run or wait (a task group counted as a
        whole), with why a sensor waits."""
        instances = self.call("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 200})
        doing, groups = [], {}
        for ti in instances["task_instances"]:
            if ti["state"] not in WAITING_TASK_STATES:
                continue
            if "." in ti["task_id"]:  # e.g. dbt_build.<model>_run
                group = groups.setdefault(ti["task_id"].split(".")[0], {})
                group[ti["state"]] = group.get(ti["state"], 0) + 1
                continue
            why = f" ({WAITS[ti['task_id']]})" if ti["task_id"] in WAITS and ti["state"] == "up_for_reschedule" else ""
            doing.append(f"{ti['task_id']} {ti['state']}{why}")
        doing += [f"{group}: " + ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
                  for group, states in groups.items()]
        return doing

    def wait(self, run_ids: list[str], timeout: float, dag_id: str = DAG_ID,
             tell=lambda line: None) -> dict[str, str]:
        """Wait until every run has finished or `timeout` s have passed; return each run's state.
        `tell` gets a line whenever what a run waits for changes."""
        deadline, told = time.monotonic() + timeout, {}
        while True:
            states = {run_id: self.run(run_id, dag_id)["state"] for run_id in run_ids}
            for run_id, state in states.items():
                doing = self.waiting_on(run_id, dag_id) if state not in FINISHED else []
                line = f"  {run_id}: {state}" + (f": {'; '.join(doing)}" if doing else "")
                if state == "queued" and not doing:
                    line += " (not started yet: the scheduler starts it when a run slot is free)"
                if told.get(run_id) != line:
                    tell(line)
                    told[run_id] = line
            if all(state in FINISHED for state in states.values()) or time.monotonic() > deadline:
                return states
            time.sleep(3)


def _month_start(period: str) -> datetime:
    """A month's data interval starts at its first midnight in the district's time zone; for
    gridpulse_monthly's timetable that instant is the run's logical date."""
    return datetime.combine(Period.parse(period).first_day, datetime.min.time(), tzinfo=TIMEZONE)


def _months(first: str, last: str) -> list[str]:
    months, month = [], Period.parse(first)
    while str(month) <= str(Period.parse(last)):
        months.append(str(month))
        month = Period.of(month.next_first_day)
    return months


def main(argv: list[str] | None = None) -> int:
    from gridpulse.orchestration.airflow_local import DEFAULT_PORT, admin_password, default_home

    parser = argparse.ArgumentParser(prog="python -m gridpulse.orchestration.airflow_api", description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", help="default: the password `make airflow` generated")
    parser.add_argument("--timeout", type=float, default=3600,
                        help="seconds to wait for the runs (default 3600); they go on in Airflow after")
    parser.add_argument("--district", help="a district of a deployment (its DAG gridpulse_monthly_<code>; make DISTRICT=)")
    verbs = parser.add_subparsers(dest="verb", required=True)
    verbs.add_parser("trigger").add_argument("--period", required=True)
    backfill = verbs.add_parser("backfill")
    backfill.add_argument("--from", dest="first", required=True)
    backfill.add_argument("--to", dest="last", required=True)
    args = parser.parse_args(argv)

    try:
        api = AirflowApi(args.url, args.user, args.password or admin_password(default_home(), timeout=0))
    except (httpx.HTTPError, TimeoutError) as error:
        print(f"No Airflow answers at {args.url} ({error}). Start it with `make airflow` first.", file=sys.stderr)
        return 2
    try:
        return _run(api, args)
    except RuntimeError as error:  # what Airflow answered, without a traceback
        print(error, file=sys.stderr)
        return 2


def dag_of(district: str | None) -> str:
    """The month's DAG: gridpulse_monthly, or a deployment's district's gridpulse_monthly_<code>."""
    return f"{DAG_ID}_{district}" if district else DAG_ID


def _check_dag(api: AirflowApi, dag: str) -> None:
    """A DAG this Airflow does not have: say which it has (a deployment has one per district)."""
    response = api.http.get(f"/dags/{dag}")
    if response.status_code != 404:
        return
    months = [d["dag_id"] for d in api.call("GET", "/dags", params={"dag_id_pattern": DAG_ID, "limit": 100})["dags"]]
    districts = [dag_id.removeprefix(f"{DAG_ID}_") for dag_id in months if dag_id != DAG_ID]
    hint = f"; choose a district: {', '.join(f'DISTRICT={code}' for code in districts)}" if districts else ""
    raise RuntimeError(f"This Airflow has no DAG {dag} (it has {', '.join(months) or 'none'}){hint}")


def _run(api: AirflowApi, args) -> int:
    dag = dag_of(args.district)
    _check_dag(api, dag)
    api.unpause(dag)
    if args.verb == "trigger":
        run_ids = [api.trigger(args.period, dag)]
    else:
        backfill_id = api.backfill(args.first, args.last, dag)
        print(f"Backfill {backfill_id}: {args.first} .. {args.last}, oldest first, one month at a time", flush=True)
        months = _months(args.first, args.last)
        deadline = time.monotonic() + 120
        while len(api.backfill_runs(months, dag)) < len(months) and time.monotonic() < deadline:
            time.sleep(2)  # the backfill's runs are created as it starts
        runs = api.backfill_runs(months, dag)  # each run's note names its month (run_notes)
        run_ids = [run["dag_run_id"] for run in runs]
    print(f"Waiting up to {args.timeout:.0f} s for {len(run_ids)} run(s) of {dag} at {args.url}: "
          f"{', '.join(run_ids)}", flush=True)
    states = api.wait(run_ids, args.timeout, dag, tell=lambda line: print(line, flush=True))
    unfinished = [run_id for run_id, state in states.items() if state not in FINISHED]
    if unfinished:
        print(f"Gave up waiting after {args.timeout:.0f} s (--timeout): {', '.join(unfinished)} not finished; "
              f"they go on in Airflow ({args.url}/dags/{dag}).", file=sys.stderr)
        return 4
    print("Finished:")
    for run_id, state in states.items():
        failed = api.failed_tasks(run_id, dag) if state == "failed" else []
        print(f"  {run_id}: {state}" + (f" (failed: {', '.join(failed)})" if failed else ""))
        if failed:
            print(f"    {api.failure_cause(run_id, failed[0], dag)[:500]}")
    return 0 if all(state == "success" for state in states.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
