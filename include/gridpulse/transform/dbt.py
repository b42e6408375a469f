"""Run `dbt build` (models and their data tests) on the warehouse.

dbt runs as a separate process, like any dbt invocation a data engineer would type, so its
logging and its DuckDB connection end with it and never hold the warehouse afterwards.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from gridpulse import config
from gridpulse.transform.failures import build_failures
from gridpulse.warehouse.building import current_build


class DbtFailed(RuntimeError):
    """dbt failed; `problems` says which tests and models, worded for the people who run the month."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = problems or []


def dbt_executable() -> str:
    beside_python = Path(sys.executable).parent / "dbt"
    found = str(beside_python) if beside_python.exists() else shutil.which("dbt")
    if not found:
        raise DbtFailed("dbt is not installed in this environment (run `make venv`)")
    return found


def dbt_work_dir(warehouse: Path) -> Path:
    """Where dbt keeps its target and logs for a warehouse file: beside it, in the data folder."""
    return warehouse.parent / f"dbt-{warehouse.stem}"


def dbt_target(warehouse: Path) -> Path:
    """dbt's target folder for a warehouse file: manifest, run results, compiled SQL."""
    return dbt_work_dir(warehouse) / "target"


# Cosmos runs dbt in a temporary copy of the project, with a profile and target of its own there
# (orchestration.dbt_models keeps the target's results); every other setting is the CLI's.
SET_BY_COSMOS = ("DBT_PROFILES_DIR", "DBT_TARGET_PATH")


def dbt_settings(warehouse: Path) -> dict[str, str]:
    """The environment of every dbt run of the project on a warehouse file, from the CLI or Cosmos."""
    work = dbt_work_dir(warehouse)
    return {
        "GRIDPULSE_DBT_WAREHOUSE": str(warehouse),
        "DBT_PROFILES_DIR": str(config.DBT_PROJECT_DIR),
        "DBT_TARGET_PATH": str(dbt_target(warehouse)),
        "DBT_LOG_PATH": str(work / "logs"),
        "DO_NOT_TRACK": "1",
        "DBT_USE_COLORS": "false",  # plain text in the task log and the run's log file
    }


def run_dbt(*args: str, warehouse: Path | None = None, period: str | None = None) -> str:
    """Run a dbt command in the project (on `period`'s rows alone when one is given); return its
    output, or raise with the failures."""
    command = [dbt_executable(), *args, "--project-dir", str(config.DBT_PROJECT_DIR)]
    warehouse = warehouse or current_build()  # never the published file
    done = subprocess.run(command, env=os.environ | dbt_settings(warehouse) | month_setting(period),
                          capture_output=True, text=True, cwd=config.DBT_PROJECT_DIR)
    output = done.stdout + done.stderr
    print(output)  # the task log shows dbt's own report
    if done.returncode != 0:
        problems = build_failures(dbt_target(warehouse), warehouse)
        raise DbtFailed(f"dbt {args[0]} 未通过（exit {done.returncode}）：\n" + "\n".join(p.text() for p in problems), problems)
    return output


# The month a run builds (dbt_project/macros/this_month.sql), read by dbt as it runs, not as it
# parses: a new month reuses the last parse, where a month in `--vars` made dbt parse it all again.
PERIOD_SETTING = "GRIDPULSE_DBT_PERIOD"


def month_setting(period: str | None) -> dict[str, str]:
    """dbt's environment that scopes a run to one month, or to every month (set empty, so that a
    month left in this process's environment by an earlier task is not taken for this run's)."""
    return {PERIOD_SETTING: period or ""}


# A month's build checks the month's rows (data tests). dbt's unit tests check the SQL on fixed
# fixtures, which no month changes: `make check` runs them (tests/test_dbt_project.py), as dbt's
# docs advise ("only run unit tests in development or CI environments").
BUILD_FLAGS = ("--exclude-resource-type", "unit_test")


def build(period: str | None, building: Path) -> str:
    """dbt build, on the building copy, of one month's rows (incremental marts replace that month
    only), or of every month when no period is given."""
    return run_dbt("build", *BUILD_FLAGS, warehouse=building, period=period)
