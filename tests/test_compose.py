"""docker-compose.yml keeps the layout of Airflow's official Celery compose file (no Docker
engine runs here, so its structure is what can be checked)."""
from __future__ import annotations

import yaml

from conftest import PROJECT_DIR

OFFICIAL_SERVICES = {"postgres", "redis", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                     "airflow-worker", "airflow-triggerer", "airflow-init", "airflow-cli", "flower"}
PROJECT_FOLDERS = {"dags", "include", "dbt_project", "expectations", "data", "output"}


def _compose() -> dict:
    return yaml.safe_load((PROJECT_DIR / "docker-compose.yml").read_text(encoding="utf-8"))


def test_services_and_shared_settings_follow_the_official_file():
    compose = _compose()
    assert set(compose["services"]) == OFFICIAL_SERVICES
    common = compose["x-airflow-common"]["environment"]
    assert common["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert common["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert common["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
    for name, service in compose["services"].items():
        if name not in {"airflow-init", "airflow-cli"}:
            assert "healthcheck" in service, f"{name} has no health check"


def test_the_project_folders_are_mounted_where_the_image_looks():
    compose = _compose()
    # "${AIRFLOW_PROJ_DIR:-.}/dags:/opt/gridpulse/dags" -> the container side, /opt/gridpulse/dags
    targets = [volume.rsplit(":", 1)[-1] for volume in compose["x-airflow-common"]["volumes"]]
    mounted = {target.rsplit("/", 1)[-1] for target in targets if target.startswith("/opt/gridpulse/")}
    assert PROJECT_FOLDERS <= mounted
    env = compose["x-airflow-common"]["environment"]
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/gridpulse/dags"
    assert env["PYTHONPATH"] == "/opt/gridpulse/include"


def test_the_init_service_creates_every_pool_the_dag_uses():
    """Tasks in a pool that does not exist are never scheduled: airflow-init must create them."""
    from airflow.dag_processing.dagbag import DagBag

    from gridpulse.airflow_local import POOLS

    dag = DagBag(dag_folder=str(PROJECT_DIR / "dags")).dags["gridpulse_monthly"]
    used = {task.pool for task in dag.tasks} - {"default_pool"}
    assert used == set(POOLS)
    init = "\n".join(_compose()["services"]["airflow-init"]["command"])
    for pool in used:
        assert f"airflow pools set {pool} {POOLS[pool][0]} " in init, pool
