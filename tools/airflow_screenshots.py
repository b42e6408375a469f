"""Screenshots of the Airflow UI for docs/images/airflow/, taken from a real run of a city's month.

Starts `make airflow`'s Airflow for the demo city (include/config/deployments/xinyu.yml) in a
folder of its own, with the city's demo months at a tenth of their rows; 分宜县 gets 渝水区's
export (its platform sent the wrong district's), so its run fails at validation. It triggers
分宜县, 渝水区 and 仙女湖区 for 2022-11, waits for them and for the rollup their publications
start, then photographs pages with headless Chromium in Beijing time and Chinese, and stops
Airflow. About 15 minutes on two cores.

    .venv/bin/python tools/airflow_screenshots.py [--out docs/images/airflow] [--work /tmp/shots]
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PROJECT = Path(__file__).resolve().parents[1]
CITY = PROJECT / "include" / "config" / "deployments" / "xinyu.yml"
PERIOD = "2022-11"
YUSHUI, FENYI, XIANNVHU = "360502", "360521", "360591"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(work: Path, port: int) -> dict[str, str]:
    return os.environ | {
        "PYTHONPATH": str(PROJECT / "include"), "AIRFLOW_HOME": str(work / "airflow"),
        "GRIDPULSE_DEPLOYMENT": str(CITY), "GRIDPULSE_DELIVERY": "off",
        "GRIDPULSE_SOURCE_DIR": str(work / "landing"), "GRIDPULSE_DATA_DIR": str(work / "data"),
        "GRIDPULSE_OUTPUT_DIR": str(work / "output"),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",  # the browser needs no login
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
    }


def _demo_months(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "gridpulse.demo", "--deployment", str(CITY), "--period", PERIOD,
                    "--scale", "0.1"], env=env, check=True, cwd=PROJECT)
    from gridpulse import config

    os.environ.update({k: v for k, v in env.items() if k.startswith("GRIDPULSE_")})
    deployment = config.deployment()
    fenyi = deployment.paths_of(FENYI).source / PERIOD
    shutil.rmtree(fenyi)
    shutil.copytree(deployment.paths_of(YUSHUI).source / PERIOD, fenyi)


def _wait_healthy(url: str, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            health = httpx.get(f"{url}/api/v2/monitor/health", timeout=5).json()
            if all(health.get(p, {}).get("status") == "healthy" for p in ("scheduler", "triggerer", "dag_processor")):
                return
        except httpx.HTTPError:
            pass
        time.sleep(3)
    raise TimeoutError(url)


def _runs(api, url: str) -> dict[str, str]:
    """Trigger the three districts, wait for them and for the rollup; return the pages to photograph."""
    deadline = time.monotonic() + 600
    while len(api.call("GET", "/dags", params={"limit": 100})["dags"]) < 4 and time.monotonic() < deadline:
        time.sleep(5)  # the DAG processor parses the deployment's four DAGs
    runs = {}
    for code in (FENYI, YUSHUI, XIANNVHU):
        dag = f"gridpulse_monthly_{code}"
        api.unpause(dag)
        runs[code] = api.trigger(PERIOD, dag)
    for code, run_id in runs.items():
        print(code, api.wait([run_id], 3000, f"gridpulse_monthly_{code}"), flush=True)
    deadline = time.monotonic() + 1200
    while time.monotonic() < deadline:
        rollups = api.runs("gridpulse_rollup")
        if rollups and all(run["state"] in ("success", "failed") for run in rollups) and len(rollups) >= 2:
            break
        time.sleep(10)
    rollup = sorted(rollups, key=lambda run: run["run_after"])[-1]["dag_run_id"]
    return {
        "dag_list": f"{url}/dags",
        "district_dag": f"{url}/dags/gridpulse_monthly_{YUSHUI}",
        "run": f"{url}/dags/gridpulse_monthly_{YUSHUI}/runs/{runs[YUSHUI]}",
        "failed_run": f"{url}/dags/gridpulse_monthly_{FENYI}/runs/{runs[FENYI]}",
        "failed_task_log": f"{url}/dags/gridpulse_monthly_{FENYI}/runs/{runs[FENYI]}/tasks/validate",
        "rollup_run": f"{url}/dags/gridpulse_rollup/runs/{rollup}",
        "rollup_log": f"{url}/dags/gridpulse_rollup/runs/{rollup}/tasks/publish_rollup",
    }


def _photograph(pages: dict[str, str], out: Path, work: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    out.mkdir(parents=True, exist_ok=True)
    for name, page in pages.items():
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--lang=zh-CN", "--accept-lang=zh-CN,zh",
                        f"--user-data-dir={work / 'chromium'}", "--window-size=1600,1000",
                        "--virtual-time-budget=30000", f"--screenshot={out / f'{name}.png'}", page],
                       env=os.environ | {"TZ": "Asia/Shanghai", "LANGUAGE": "zh_CN"}, check=True, capture_output=True, timeout=180)
        print("photographed", name, page, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "images" / "airflow")
    parser.add_argument("--work", type=Path, default=Path(tempfile.mkdtemp(prefix="gridpulse-shots-")))
    args = parser.parse_args()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = _environment(args.work, port)
    os.environ["AIRFLOW_HOME"] = env["AIRFLOW_HOME"]
    _demo_months(env)
    log = open(args.work / "airflow.log", "wb")  # noqa: SIM115 (Airflow writes it until it is stopped)
    server = subprocess.Popen([sys.executable, "-m", "gridpulse.orchestration.airflow_local", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT, start_new_session=True)
    try:
        _wait_healthy(url)
        from gridpulse.orchestration.airflow_api import AirflowApi

        # every user is an admin here (the browser needs no login), so no password file is written
        api = AirflowApi(url, "admin", "admin")
        _photograph(_runs(api, url), args.out, args.work)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
