"""Run gridpulse_monthly once, in this process, with Airflow's `dag.test()`.

`make demo` uses it; so do the end-to-end tests. The Airflow metadata DB must be migrated first
(`make airflow-db`); AIRFLOW_HOME and the DAGs folder come from the environment.
"""
from __future__ import annotations

import argparse
import sys

from gridpulse import config
from gridpulse.period import Period

DAG_ID = "gridpulse_monthly"
DAG_FILE = config.PROJECT_DIR / "dags" / "gridpulse_monthly.py"


def load_dag():
    """The DAG as Airflow parses it from the DAGs folder."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAG_FILE))
    if bag.import_errors:
        raise RuntimeError(f"{DAG_FILE} does not import: {bag.import_errors}")
    return bag.dags[DAG_ID]


def run(period: str):
    """Run the DAG for `period`; return the finished DagRun."""
    month = Period.parse(period)
    # a manual run with its month in the conf and no logical date: it starts now (a logical date
    # in 2022 made the UI count the run's duration from then)
    return load_dag().test(logical_date=None, run_conf={"period": str(month)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gridpulse.orchestration.airflow_run")
    parser.add_argument("--period", required=True)
    args = parser.parse_args(argv)
    dag_run = run(args.period)
    state = str(dag_run.state)
    output = config.paths().output / args.period
    print(f"\ngridpulse_monthly {args.period}: {state}")
    if not state.endswith("success"):
        print("The run failed: the task logs above say which step and why.", file=sys.stderr)
        return 1
    print(f"Ranking workbook: {output / 'ranking.xlsx'}")
    print(f"Ranking CSV:      {output / 'ranking.csv'}")
    for name in ("bulletin.docx", "bulletin.pdf", "bulletin.html"):
        print(f"Bulletin:         {output / name}")
    print(f"Warehouse:        {config.paths().warehouse}  (read it with SQL: make sql, docs/analysts.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
