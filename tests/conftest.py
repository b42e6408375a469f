"""Test set-up: Airflow and Grid Pulse point at temporary folders, never at the project's own.

AIRFLOW_HOME must be set before anything imports airflow, so it is set here, at import time.
"""
from __future__ import annotations

import json
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
    "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_DIR / "plugins"),  # the DAG's timetable
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__PARALLELISM": "4",
    "AIRFLOW__COSMOS__CACHE_DIR": str(_AIRFLOW_HOME / "cosmos"),
    "DO_NOT_TRACK": "1",
    "GRIDPULSE_DELIVERY": "off",  # the delivery tests switch it on, with their own servers
})
sys.path.insert(0, str(PROJECT_DIR / "tests"))
# Under `make test` these say "you are inside make": a `make` the tests start would then print
# "make[1]:" where an operator at the shell sees "make:". The tests run make as the operator does.
for _inherited in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES"):
    os.environ.pop(_inherited, None)

PERIOD = "2022-11"


def _month(text: str):
    from gridpulse.period import Period

    return Period.parse(text)


MONTH = _month(PERIOD)  # the month as the pipeline takes it


@pytest.fixture(scope="session")
def airflow_db():
    """A migrated Airflow metadata DB (SQLite) for tests that run the DAG."""
    airflow = Path(sys.executable).parent / "airflow"
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True)
    yield _AIRFLOW_HOME
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


def once_for_all_workers(tmp_path_factory, name: str, build):
    """`build(folder)` once for the whole test run, whichever pytest-xdist worker asks first: the
    others wait for it and share the folder and what build returned (JSON). Tests only read the
    folder (a test that changes things works on a copy)."""
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the run's own folder
    folder, result = shared / name, shared / f"{name}.json"
    with FileLock(str(shared / f"{name}.lock")):
        if not result.exists():
            result.write_text(json.dumps(build(folder)), encoding="utf-8")
    return folder, json.loads(result.read_text(encoding="utf-8"))


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


# The township whose October is made better than the demo's, so that it falls in November.
IMPROVED_IN_OCTOBER = "新钢办"


@pytest.fixture(scope="session")
def two_month_warehouse(demo_month, tmp_path_factory) -> Path:
    """The published warehouse after the demo months 2022-10 and 2022-11 ran through the pipeline,
    for the analysts' questions and the PostgreSQL twin. October is the demo month with every
    overdue event of IMPROVED_IN_OCTOBER closed on time, so rank changes have something to show."""
    from gridpulse import config, pipeline
    from gridpulse.demo import generate

    from exports import drop_month

    def build(root: Path) -> str:
        patch = pytest.MonkeyPatch()
        point_at(patch, root)
        try:
            # drawn as the calibrated month: the only change from November is the one made below
            october = drop_month(generate("2022-10", root / "exports", as_calibrated=True), root / "landing")
            _close_overdue_events_on_time(october, IMPROVED_IN_OCTOBER)
            drop_month(demo_month, root / "landing")
            pipeline.run_month(_month("2022-10"))
            pipeline.run_month(_month("2022-11"))
            return str(config.paths().warehouse)
        finally:
            patch.undo()

    return Path(once_for_all_workers(tmp_path_factory, "two-months", build)[1])


def _close_overdue_events_on_time(export: Path, township: str) -> None:
    """Edit a month's export (before its run) so that every event of `township` and the units
    under it that was closed late, or is still open past its deadline at the month's end, was
    closed at its deadline."""
    import pandas as pd

    from exports import edit_csv

    orgs = pd.read_excel(export / "组织机构.xlsx", dtype=str, keep_default_na=False)
    units = set(orgs.loc[orgs["机构名称"] == township, "机构编码"])
    assert units, township
    while (below := set(orgs.loc[orgs["上级机构编码"].isin(units), "机构编码"]) - units):
        units |= below
    next_month = _month(json.loads((export / "manifest.json").read_text(encoding="utf-8"))["period"]).next_first_day

    def close(events):
        closed, due = events["办结时间"], events["办理时限"]  # text as the platform writes it: it sorts as time
        late = events["所属机构编码"].isin(units) & (((closed != "") & (closed > due)) | ((closed == "") & (due < str(next_month))))
        assert late.any(), f"no overdue event of {township}"
        events.loc[late, "办结时间"] = due[late]
        return events

    edit_csv(export, "事件.csv", close)


# The two demo districts' months, as the seeds print them: {kind: (period, demo district, settings)}.
SEED_MONTHS = {"grid": ("2021-09", "baiguan", "include/config/gridpulse-baiguan.yml"),
               "township": ("2022-11", "yushui", "include/config/gridpulse.yml")}
# Where each district's workspace is inside seed_months: the township district's is the folder itself
# (so point_at(seed_months) is 渝水区's month), the grid district's a folder of its own. Two districts
# never share a warehouse (the warehouse records its district: gridpulse/warehouse/owner.py).
SEED_FOLDERS = {"grid": "grid", "township": "."}


def point_at(patch: pytest.MonkeyPatch, root: Path) -> None:
    """Source, data and output folders of a workspace under `root`."""
    for key, folder in (("SOURCE", "landing"), ("DATA", "data"), ("OUTPUT", "output")):
        patch.setenv(f"GRIDPULSE_{key}_DIR", str(root / folder))
    patch.delenv("GRIDPULSE_WAREHOUSE", raising=False)


def seed_workspace(seed_months: Path, kind: str) -> Path:
    """The workspace of one demo district's month inside seed_months (point_at it to read it)."""
    return (seed_months / SEED_FOLDERS[kind]).resolve()


@pytest.fixture(scope="session")
def seed_months(tmp_path_factory) -> Path:
    """Both demo districts' months published once a session, each district in its own workspace as
    two deployments would: 百官街道 2021-09 under its own settings in seed_workspace(.., "grid"), then
    渝水区 2022-11 (the demo month) under the default ones in the folder itself. Tests read it and
    never write to it; a test that changes anything works on a copy (`published_copy`, or
    copy_workspace for a module)."""
    from gridpulse import pipeline
    from gridpulse.demo import generate

    from exports import drop_month

    def build(root: Path) -> None:
        patch = pytest.MonkeyPatch()
        try:
            for kind, (period, district, settings) in SEED_MONTHS.items():
                workspace = root / SEED_FOLDERS[kind]
                point_at(patch, workspace)
                patch.setenv("GRIDPULSE_CONFIG", settings)
                drop_month(generate(period, root / "exports", district=district), workspace / "landing")
                pipeline.run_month(_month(period))
        finally:
            patch.undo()

    return once_for_all_workers(tmp_path_factory, "seed-months", build)[0]


def copy_workspace(published: Path, target: Path) -> Path:
    """A workspace of one's own, with everything the published one holds (archive, warehouse,
    restricted store, outputs): cheaper than running its months again."""
    shutil.copytree(published, target, symlinks=True)
    return target


@pytest.fixture
def published_copy(seed_months, tmp_path, monkeypatch) -> Path:
    """A copy of seed_months that this test may change; the environment points at it."""
    root = copy_workspace(seed_months, tmp_path / "published")
    point_at(monkeypatch, root)
    return root


# Fixtures that run months through the pipeline or start Airflow: a test using one (directly or
# through another fixture) is in that tier whatever its module says (pyproject.toml, markers).
TIER_OF_FIXTURE = {"seed_months": "month", "published_copy": "month", "two_month_warehouse": "month",
                   "airflow_db": "airflow"}


# The longest files first: `make test`'s workers take files in this order (--no-loadscope-reorder),
# so the run does not end on one long file while the others idle. Measured in a whole `make test`
# (2026-12-06, docs/testing.md), shared fixtures included where a file built them: airflow_server
# ~245 s, airflow_celery ~135, crash_safety ~105, nothing_lost ~80, broken_corpus ~70, monthly_run ~65,
# postgres_twin ~60, hostile_exports ~70 (its time budget, GRIDPULSE_FUZZ_SECONDS), month_lock ~35, failure_alert ~35, districts ~35, scheme_changes ~30, publishing ~30,
# analyst_tools ~20, schemes_in_force ~15, accepted_variants ~15, delivery ~12; every other file under 15 s.
# test_airflow_two_runs (two Airflows, eight runs) and test_airflow_deployment are new and not measured yet;
# nor months_in_any_order (six months at scale 0.3), staff_changes (one month of 百官街道),
# deployment_checks (four small district months) and scheme_new_id (a small month and a what-if).
LONGEST_FIRST = ["test_airflow_two_runs_celery", "test_random_districts", "test_random_districts_more", "test_airflow_two_runs",
                 "test_airflow_server", "test_airflow_celery", "test_months_in_any_order", "test_airflow_deployment", "test_crash_safety", "test_nothing_lost",
                 "test_broken_corpus", "test_monthly_run", "test_hostile_exports", "test_postgres_twin", "test_month_lock",
                 "test_failure_alert", "test_districts", "test_deployment_checks", "test_staff_changes", "test_scheme_new_id",
                 "test_scheme_changes", "test_publishing", "test_analyst_tools",
                 "test_schemes_in_force", "test_accepted_variants", "test_delivery"]


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        name = item.module.__name__.rsplit(".", 1)[-1]
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: within a rank, collection order


def pytest_itemcollected(item):
    for fixture, tier in TIER_OF_FIXTURE.items():
        if fixture in item.fixturenames:
            item.add_marker(tier)


@pytest.fixture(scope="session")
def small_month(tmp_path_factory) -> Path:
    """2022-11 at a tenth of the demo's people and events, for tests whose subject is how runs
    behave (killed, raced, repeated) rather than the figures: every run of it is quicker."""
    from gridpulse.demo import generate

    return generate(PERIOD, tmp_path_factory.mktemp("small"), scale=0.1)


def _uninterrupted(small_month, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """One uninterrupted `python -m gridpulse run` of small_month, shared by the whole test run:
    its folder (with what it printed, printed-stdout.txt and printed-stderr.txt) and what it published."""
    from runs import published_state, run_workspace

    def build(root: Path) -> dict[str, str]:
        patch = pytest.MonkeyPatch()
        try:
            env = run_workspace(root, small_month, patch)
            done = subprocess.run([sys.executable, "-m", "gridpulse", "run", "--period", PERIOD], env=env,
                                  capture_output=True, text=True)
            assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
            (root / "printed-stdout.txt").write_text(done.stdout, encoding="utf-8")
            (root / "printed-stderr.txt").write_text(done.stderr, encoding="utf-8")
            return published_state()
        finally:
            patch.undo()

    return once_for_all_workers(tmp_path_factory, "uninterrupted", build)


@pytest.fixture(scope="session")
def uninterrupted_run(small_month, tmp_path_factory) -> dict[str, str]:
    """What one uninterrupted `python -m gridpulse run` of small_month publishes (runs.published_state):
    the reference a killed or raced run must end up equal to."""
    return _uninterrupted(small_month, tmp_path_factory)[1]


@pytest.fixture(scope="session")
def uninterrupted_run_folder(small_month, tmp_path_factory) -> Path:
    """The workspace of that run, with what it printed (printed-stdout.txt, printed-stderr.txt)."""
    return _uninterrupted(small_month, tmp_path_factory)[0]
