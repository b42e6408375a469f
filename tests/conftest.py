"""Test set-up: Airflow and Grid Pulse point at temporary folders, never at the project's own.

AIRFLOW_HOME must be set before anything imports airflow, so it is set here, at import time.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="gridpulse-airflow-"))
os.environ.update({
    "AIRFLOW_HOME": str(_AIRFLOW_HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_DIR / "dags"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__PARALLELISM": "4",
    "DO_NOT_TRACK": "1",
})
sys.path.insert(0, str(PROJECT_DIR / "tests"))

PERIOD = "2022-11"


@pytest.fixture(scope="session")
def airflow_db():
    """A migrated Airflow metadata DB (SQLite) for tests that run the DAG."""
    airflow = Path(sys.executable).parent / "airflow"
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True)
    yield _AIRFLOW_HOME
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def demo_month(tmp_path_factory) -> Path:
    """The demo export of 2022-11, generated once; tests copy it before changing anything."""
    from gridpulse.demo import generate

    return generate(PERIOD, tmp_path_factory.mktemp("demo"), scale=1.0)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """Fresh source, archive, warehouse and output folders for one test."""
    folders = {"source": tmp_path / "landing", "data": tmp_path / "data", "output": tmp_path / "output"}
    monkeypatch.setenv("GRIDPULSE_SOURCE_DIR", str(folders["source"]))
    monkeypatch.setenv("GRIDPULSE_DATA_DIR", str(folders["data"]))
    monkeypatch.setenv("GRIDPULSE_OUTPUT_DIR", str(folders["output"]))
    monkeypatch.delenv("GRIDPULSE_WAREHOUSE", raising=False)
    return folders
