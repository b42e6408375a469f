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
    assert mounted >= PROJECT_FOLDERS
    env = compose["x-airflow-common"]["environment"]
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/gridpulse/dags"
    assert env["PYTHONPATH"] == "/opt/gridpulse/include"


def test_the_init_service_creates_every_pool_the_dag_uses():
    """Tasks in a pool that does not exist are never scheduled: airflow-init must create them."""
    from airflow.dag_processing.dagbag import DagBag

    from gridpulse.orchestration.airflow_local import POOLS

    dag = DagBag(dag_folder=str(PROJECT_DIR / "dags")).dags["gridpulse_monthly"]
    used = {task.pool for task in dag.tasks} - {"default_pool"}
    assert used == set(POOLS)
    init = "\n".join(_compose()["services"]["airflow-init"]["command"])
    for pool in used:
        assert f"airflow pools set {pool} {POOLS[pool][0]} " in init, pool


def _mounts() -> dict[str, str]:
    """Container folder -> folder of the project it shows (AIRFLOW_PROJ_DIR at its default '.')."""
    mounts = {}
    for volume in _compose()["x-airflow-common"]["volumes"]:
        source, target = volume.replace("${AIRFLOW_PROJ_DIR:-.}", ".").rsplit(":", 1)
        mounts[target] = source.removeprefix("./")
    return mounts


def _in_container(project_path) -> str:
    """Where a path of the project is seen inside the containers (GRIDPULSE_PROJECT_DIR)."""
    env = _compose()["x-airflow-common"]["environment"]
    return f"{env['GRIDPULSE_PROJECT_DIR']}/{project_path.relative_to(PROJECT_DIR).as_posix()}"


def _mounted_from_project(container_path: str) -> bool:
    """Whether the container path lies in a mount of the same folder of the project."""
    project = _compose()["x-airflow-common"]["environment"]["GRIDPULSE_PROJECT_DIR"]
    return any(target == f"{project}/{source}" for target, source in _mounts().items()
               if container_path == target or container_path.startswith(target + "/"))


def test_every_folder_the_dag_reads_and_writes_is_mounted_from_the_project(monkeypatch):
    from gridpulse import config

    for variable in ("GRIDPULSE_SOURCE_DIR", "GRIDPULSE_DATA_DIR", "GRIDPULSE_OUTPUT_DIR", "GRIDPULSE_WAREHOUSE",
                     "GRIDPULSE_CONFIG", "GRIDPULSE_SCHEMES_DIR"):
        monkeypatch.delenv(variable, raising=False)  # the containers set none of them
    paths = config.paths()
    used = {"config": config.CONFIG_DIR, "schemes": config.SCHEMES_DIR, "dbt project": config.DBT_PROJECT_DIR,
            "GX suites": config.EXPECTATIONS_DIR, "source": paths.source, "archive": paths.archive,
            "quarantine": paths.quarantine, "warehouse": paths.warehouse, "restricted": paths.restricted,
            "output": paths.output, "delivery log": paths.delivery_log, "DAGs": PROJECT_DIR / "dags",
            "timetable plugin": PROJECT_DIR / "plugins" / "gridpulse_timetables.py"}
    unmounted = {what: _in_container(path) for what, path in used.items() if not _mounted_from_project(_in_container(path))}
    assert unmounted == {}


def test_the_containers_environment_is_what_the_code_reads():
    import re

    env = _compose()["x-airflow-common"]["environment"]
    read = set(re.findall(r'environ(?:\.get\(|\[)"(GRIDPULSE_[A-Z_]+)"',
                          "\n".join(p.read_text(encoding="utf-8") for p in (PROJECT_DIR / "include").rglob("*.py"))))
    assert {name for name in env if name.startswith("GRIDPULSE_")} <= read  # no variable the code ignores
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == _in_container(PROJECT_DIR / "dags")
    assert env["AIRFLOW__CORE__PLUGINS_FOLDER"] == _in_container(PROJECT_DIR / "plugins")
    assert env["PYTHONPATH"] == _in_container(PROJECT_DIR / "include")
    # the admin password Airflow generates lands in a mounted folder, where docs/operations.md says to read it
    password_file = env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]
    folder = password_file.rsplit("/", 1)[0]
    assert folder in _mounts(), password_file
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"].split(":")[0] == "admin"
    assert f"./{_mounts()[folder]}/{password_file.rsplit('/', 1)[1]}" in (PROJECT_DIR / "docs" / "operations.md").read_text(encoding="utf-8")
    # no channel is configured by the compose file itself: delivery is off until connections exist
    assert not [name for name in env if name.startswith("AIRFLOW_CONN_")]
    assert _compose()["x-airflow-common"]["env_file"] == [{"path": "connections.env", "required": False}]
