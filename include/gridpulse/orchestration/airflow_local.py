"""`make airflow`: a real Airflow for this project on one machine, on loopback.

Runs `airflow standalone` (scheduler, API server, DAG processor and triggerer, each its own
process) on the embedded default: SQLite metadata in AIRFLOW_HOME, LocalExecutor, a small
parallelism (SQLite and DuckDB each have one writer), the project's DAGs folder. It prints the
URL and the admin password, and on Ctrl-C (or SIGTERM) stops every process it started.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from gridpulse import config

DEFAULT_PORT = 8080
# the one-writer pool of the warehouse's tasks (gridpulse.orchestration.dbt_models)
POOLS = {"gridpulse_warehouse": (1, "DuckDB has one writer: load, dbt build and publish take turns")}


def airflow_bin() -> str:
    return str(Path(sys.executable).parent / "airflow")


# SQLite has one writer: a process waits this long for another's write (Python's default is 5 s,
# and a scheduler that meets "database is locked" after it exits; a busy machine gets there)
SQLITE_CONNECT_ARGS = {"timeout": 60}


def airflow_env(home: Path, port: int, parallelism: int = 4, metadata: str | None = None) -> dict[str, str]:
    """The environment of this project's Airflow: SQLite metadata in `home`, or the `metadata`
    database URL (e.g. PostgreSQL for the Celery layout; default: AIRFLOW__DATABASE__SQL_ALCHEMY_CONN)."""
    venv_bin = str(Path(sys.executable).parent)
    metadata = metadata or os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    database = ({"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata} if metadata and not metadata.startswith("sqlite") else
                {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS": "gridpulse.orchestration.airflow_local.SQLITE_CONNECT_ARGS",
                 "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS_ASYNC": "gridpulse.orchestration.airflow_local.SQLITE_CONNECT_ARGS"})
    return os.environ | database | {
        "AIRFLOW_HOME": str(home),
        "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),  # standalone starts `airflow` from PATH
        "AIRFLOW__CORE__DAGS_FOLDER": str(config.PROJECT_DIR / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(config.PROJECT_DIR / "plugins"),  # the DAG's timetable
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # naive times (CLI, API) are Beijing time; the UI shows the browser's zone (docs/operations.md)
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Shanghai",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        # a task's calls to the API server wait longer than the default 5 s: on one machine the server
        # shares its cores with dbt and DuckDB, and a task whose start times out fails before it runs
        "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": "30",
        # each task parses the DAG file, and a deployment's file builds a dbt task group per district
        # (Cosmos parses the dbt project for each, ~15 s on a busy machine): 30 s is too little
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "300",
        "AIRFLOW__DAG_PROCESSOR__DAG_FILE_PROCESSOR_TIMEOUT": "600",
        "AIRFLOW__COSMOS__CACHE_DIR": str(home / "cosmos"),
        "DO_NOT_TRACK": "1",
    }


def prepare(env: dict[str, str]) -> None:
    """Migrate the metadata DB, create the project's pools, and register the DAGs. A deployment's
    rollup is unpaused: Airflow creates DAGs paused, and a paused rollup would never run when its
    districts publish (a district's DAG is unpaused by `make trigger`/`make backfill`)."""
    rollup = [["dags", "unpause", "gridpulse_rollup"]] if env.get("GRIDPULSE_DEPLOYMENT") else []
    for args in (["db", "migrate"],
                 *(["pools", "set", name, str(slots), text] for name, (slots, text) in POOLS.items()),
                 ["dags", "reserialize"], *rollup):
        done = subprocess.run([airflow_bin(), *args], env=env, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"airflow {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def default_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME") or config.PROJECT_DIR / ".airflow")


def password_file(home: Path) -> Path:
    return home / "simple_auth_manager_passwords.json.generated"


def admin_password(home: Path, timeout: float = 120) -> str:
    """The admin password Airflow generates on first start."""
    deadline = time.monotonic() + timeout
    while True:
        if password_file(home).exists():
            text = password_file(home).read_text().strip()
            if text:
                return json.loads(text)["admin"]
        if time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    raise TimeoutError(f"{password_file(home)} did not appear within {timeout:.0f} s")


def start(home: Path, port: int, log: Path | None = None) -> subprocess.Popen:
    """Start `airflow standalone` in its own process group; the caller stops it with stop()."""
    home.mkdir(parents=True, exist_ok=True)
    env = airflow_env(home, port)
    prepare(env)
    out = open(log, "ab") if log else None  # noqa: SIM115 (the child process writes it after we return)
    return subprocess.Popen(
        [airflow_bin(), "standalone"], env=env,
        stdout=out, stderr=subprocess.STDOUT if out else None, start_new_session=True,
        # a background process may inherit SIGINT ignored: restore it, so Ctrl-C and stop() work
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def start_components(env: dict[str, str], commands: list[list[str]], log_dir: Path) -> list[subprocess.Popen]:
    """Start Airflow's components one process each (as docker-compose.yml lays them out), e.g.
    [["api-server"], ["scheduler"], ["dag-processor"], ["triggerer"], ["celery", "worker"]]."""
    log_dir.mkdir(parents=True, exist_ok=True)
    processes = []
    for command in commands:
        log = open(log_dir / f"{'-'.join(command)}.log", "ab")  # noqa: SIM115 (the component writes it for its life)
        processes.append(subprocess.Popen([airflow_bin(), *command], env=env, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True))
    return processes


def stop_components(processes: list[subprocess.Popen], timeout: float = 60) -> None:
    """SIGTERM each component's process group (each stops cleanly on it), then wait."""
    for process in processes:
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait(15)


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def stop(process: subprocess.Popen, timeout: float = 60) -> None:
    """SIGINT to standalone (it stops its components cleanly); then the group, if anything is left."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)  # stragglers of the group, e.g. task supervisors


def channels_summary() -> str:
    from gridpulse.delivery.channels import summary

    if os.environ.get("GRIDPULSE_DELIVERY", "on").lower() == "off":
        return "  all off (GRIDPULSE_DELIVERY=off)"
    return summary()


def _interrupt(*_):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gridpulse.orchestration.airflow_local", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--prepare-only", action="store_true", help="migrate the DB, create pools, register DAGs; then exit")
    args = parser.parse_args(argv)
    home = default_home()
    # this process reads connections too (the channels' summary): from the same Airflow as its children
    os.environ.update(airflow_env(home, args.port))
    if args.prepare_only:
        prepare(airflow_env(home, args.port))
        return 0
    # started in the background (`make airflow &`) SIGINT arrives ignored: Ctrl-C must still work
    signal.signal(signal.SIGINT, signal.default_int_handler)
    process = start(home, args.port)
    signal.signal(signal.SIGTERM, _interrupt)  # stop in the main flow, never inside a handler
    try:
        print(f"\nAirflow: http://127.0.0.1:{args.port}  {_login(home)}; Ctrl-C stops it", flush=True)
        print(f"Delivery and alert channels (an Airflow connection turns one on):\n{channels_summary()}\n", flush=True)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:  # whatever ends this process (Ctrl-C, SIGTERM, an error), Airflow in its own session ends too
        stop(process)


def _login(home: Path) -> str:
    """How to sign in: no login where every user is an admin (no password file is written then)."""
    if os.environ.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "").lower() == "true":
        return "no login (every user is an admin)"
    return f"user admin, password {admin_password(home)}  (in {password_file(home)})"


if __name__ == "__main__":
    sys.exit(main())
