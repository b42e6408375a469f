"""Run gridpulse_monthly once, in this process, with Airflow's `dag.test()`; for a deployment of
several districts (GRIDPULSE_DEPLOYMENT), each district's DAG in turn and then the rollup's.

`make demo` and `make demo-city` use it; so do the end-to-end tests. The Airflow metadata DB must be migrated first
(`make airflow-db`); AIRFLOW_HOME and the DAGs folder come from the environment.
"""
from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from pathlib import Path

from gridpulse import config
from gridpulse.orchestration.dbt_models import DBT_GROUP, MODEL_TASK_SUFFIX, PRODUCER
from gridpulse.period import Period

DAG_ID = "gridpulse_monthly"
DAG_FILE = config.PROJECT_DIR / "dags" / "gridpulse_monthly.py"


def load_dag(dag_id: str = DAG_ID):
    """The DAG as Airflow parses it from the DAGs folder."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAG_FILE))
    if bag.import_errors:
        raise RuntimeError(f"{DAG_FILE} does not import: {bag.import_errors}")
    return bag.dags[dag_id]


def run(period: str, progress: logging.Handler | None = None, dag_id: str = DAG_ID):
    """Run the DAG for `period`; return the finished DagRun. `progress` gets dag.test()'s records
    of each task's start and end (attached once Airflow has set up its logging)."""
    month = Period.parse(str(period))
    dag = load_dag(dag_id)
    dag_log = logging.getLogger("airflow.sdk.definitions.dag")
    if progress:
        dag_log.addHandler(progress)
    try:
        # a manual run with its month in the conf and no logical date: it starts now (a logical
        # date in 2022 made the UI count the run's duration from then)
        return dag.test(logical_date=None, run_conf={"period": str(month)})
    finally:
        dag_log.removeHandler(progress) if progress else None


class _Progress(logging.Handler):
    """One short line per step on the terminal, from `dag.test()`'s own start and end records.
    The dbt group is one step: its producer runs `dbt build`; each model's task only reads back
    that model's result, so they are counted, not listed."""

    def __init__(self, terminal):
        super().__init__(logging.INFO)
        self.terminal, self.started, self.models_reported = terminal, {}, 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith("[DAG TEST] ") or "task_id=" not in message:
            return
        task_id = message.split("task_id=", 1)[1].split()[0]
        if message.startswith("[DAG TEST] starting"):
            self.started[task_id] = time.monotonic()
            if not task_id.startswith(f"{DBT_GROUP}.") and self.models_reported:
                self._line("dbt_build (each model's result)", f"{self.models_reported} models")
                self.models_reported = 0
        elif message.startswith("[DAG TEST] end task"):
            took = time.monotonic() - self.started.get(task_id, time.monotonic())
            if task_id == PRODUCER:
                self._line("dbt_build (dbt build: models and tests)", f"{took:.1f} s")
            elif task_id.startswith(f"{DBT_GROUP}."):
                self.models_reported += task_id.endswith(MODEL_TASK_SUFFIX)  # not the producer's own "done" task
            else:
                self._line(task_id, f"{took:.1f} s")

    def _line(self, step: str, detail: str) -> None:
        print(f"  {step:<42} {detail:>10}", file=self.terminal, flush=True)


@contextlib.contextmanager
def _logging_to(log_file: Path):
    """Everything the run prints (Airflow, dbt, the tasks) into log_file; yields the terminal."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush(), sys.stderr.flush()
    terminal = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    saved_err = os.dup(2)
    with open(log_file, "ab") as log:
        os.dup2(log.fileno(), 1), os.dup2(log.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stdout.flush(), sys.stderr.flush()
            os.dup2(terminal.fileno(), 1), os.dup2(saved_err, 2)
            os.close(saved_err)


def _run_logged(dag_id: str, period: str, log_file: Path) -> bool:
    """One DAG run, a line per step on the terminal and the rest in log_file; whether it succeeded."""
    print(f"{dag_id} {period}: running the DAG; Airflow's full log: {log_file}", flush=True)
    with _logging_to(log_file) as terminal:
        dag_run = run(period, progress=_Progress(terminal), dag_id=dag_id)
    state = str(dag_run.state)
    print(f"{dag_id} {period}: {state}")
    if not state.endswith("success"):
        failed = [ti.task_id for ti in dag_run.get_task_instances() if str(ti.state).endswith("failed")]
        print(f"The run failed in {', '.join(failed)}: the log above names the step, {log_file} says why.", file=sys.stderr)
    return state.endswith("success")


def _run_deployment(period: str, logs: Path) -> int:
    """Each district's DAG, then the rollup's (which names any district that did not publish)."""
    deployment = config.deployment()
    failed = [d for d in deployment.districts
              if not _run_logged(f"gridpulse_monthly_{d.code}", period, logs / f"gridpulse_monthly_{d.code}-{period}.log")]
    if not _run_logged("gridpulse_rollup", period, logs / f"gridpulse_rollup-{period}.log"):
        return 1
    for district in deployment.districts:
        print(f"District {district.code} ({district.name}): {deployment.paths_of(district.code).output / period}"
              + ("  (not published)" if district in failed else ""))
    print(f"Rollup:           {deployment.rollup_output / period}")
    print(f"Rollup warehouse: {deployment.rollup_warehouse}  (SQL across districts: docs/analysts.md)")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gridpulse.orchestration.airflow_run")
    parser.add_argument("--period", required=True, type=Period.parse)
    parser.add_argument("--log", type=Path, help="where Airflow's full log goes (default: AIRFLOW_HOME/logs/)")
    args = parser.parse_args(argv)
    period = str(args.period)
    logs = Path(os.environ.get("AIRFLOW_HOME", ".airflow")) / "logs"
    if config.deployment_file():
        return _run_deployment(period, args.log or logs)
    if not _run_logged(DAG_ID, period, args.log or logs / f"gridpulse_monthly-{period}.log"):
        return 1
    output = config.paths().output / period
    print(f"Ranking workbook: {output / 'ranking.xlsx'}")
    print(f"Ranking CSV:      {output / 'ranking.csv'}")
    for name in ("bulletin.docx", "bulletin.pdf", "bulletin.html"):
        print(f"Bulletin:         {output / name}")
    print(f"Warehouse:        {config.paths().warehouse}  (read it with SQL: `make sql`, docs/analysts.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
