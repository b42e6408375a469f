"""The dbt project as Airflow tasks, one per model, with astronomer-cosmos.

Cosmos's watcher mode runs the project once with `dbt build` (task `dbt_producer_watcher`,
whose log and failure alert name any failing model and test), then one task per model reports
that model's result from the build. Retrying a model's task (clearing it in the UI) re-runs
that model alone; clearing the producer rebuilds the month. DuckDB has one writer: the
producer is the only task of the group that writes, and it shares the one-slot warehouse pool
with the load and publish tasks.

The project is read by Cosmos's own parser (no `dbt ls` when the scheduler parses the DAG).
"""
from __future__ import annotations

import shutil
import sys
from contextlib import nullcontext
from pathlib import Path

from gridpulse import config

WAREHOUSE_POOL = "gridpulse_warehouse"
DBT_GROUP = "dbt_build"
PRODUCER = f"{DBT_GROUP}.dbt_producer_watcher"  # the one task of the group that runs `dbt build`
MODEL_TASK_SUFFIX = "_run"  # Cosmos names a model's task <model>_run


def dbt_setting(name: str, district: str | None = None) -> str:
    """One variable of dbt's environment on the building copy, the CLI's own (rendered at run time,
    where the load task put the month); a district's DAG renders it as that district, before its
    tasks' pre_execute hook has entered it."""
    from gridpulse.transform.dbt import dbt_settings

    with config.in_district(district) if district else nullcontext():
        return dbt_settings(config.paths().building)[name]


def keep_dbt_results(project_dir: str, **_) -> None:
    """Cosmos builds in a temporary copy of the project and deletes it afterwards: keep the run's
    results, manifest and compiled SQL where `python -m gridpulse build` keeps them, so a failed
    build can be quarantined with a report that says which test failed (and how to list its rows)."""
    from gridpulse.transform.dbt import dbt_target

    built, kept = Path(project_dir) / "target", dbt_target(config.paths().building)
    kept.mkdir(parents=True, exist_ok=True)
    for name in ("run_results.json", "manifest.json"):
        if (built / name).exists():
            shutil.copy2(built / name, kept / name)
    if (built / "compiled").is_dir():
        shutil.copytree(built / "compiled", kept / "compiled", dirs_exist_ok=True)


def dbt_env_names() -> list[str]:
    from gridpulse.transform.dbt import SET_BY_COSMOS, dbt_settings

    return [name for name in dbt_settings(Path("warehouse.duckdb")) if name not in SET_BY_COSMOS]


def dbt_models_group(group_id: str = DBT_GROUP, **task_args):
    from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import ExecutionMode, InvocationMode, LoadMode

    from gridpulse.transform.dbt import BUILD_FLAGS, PERIOD_SETTING

    project = config.DBT_PROJECT_DIR
    group = DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(dbt_project_path=project, project_name="gridpulse", install_dbt_deps=False),
        profile_config=ProfileConfig(profile_name="gridpulse", target_name="duckdb",
                                     profiles_yml_filepath=project / "profiles.yml"),
        execution_config=ExecutionConfig(execution_mode=ExecutionMode.WATCHER,
                                         # dbt in its own process: its DuckDB connection ends with it
                                         invocation_mode=InvocationMode.SUBPROCESS,
                                         dbt_executable_path=str(Path(sys.executable).parent / "dbt")),
        render_config=RenderConfig(load_method=LoadMode.CUSTOM, emit_datasets=False),
        operator_args={
            "install_deps": False,
            # the CLI's environment (transform.dbt.dbt_settings) on the building copy, rendered when the
            # task runs, and the run's month only: staging reads it, incremental marts replace it,
            # tests check it (an environment variable, not a dbt var: the parse stays the same)
            "env": {name: f"{{{{ dbt_setting('{name}') }}}}" for name in dbt_env_names()}
            | {PERIOD_SETTING: "{{ ti.xcom_pull(task_ids='resolve_period') }}"},
            **task_args,
        },
    )
    producer = group.children[f"{group_id}.dbt_producer_watcher"]
    producer.pool = WAREHOUSE_POOL  # the only task of the group that writes the warehouse
    producer.dbt_cmd_flags = list(BUILD_FLAGS)  # the CLI's month build (transform.dbt.build)
    producer.callback = keep_dbt_results  # Cosmos calls it after dbt, whether dbt passed or failed
    # Each model's task reads its result once the build has run. Waiting downstream of the
    # producer (rather than beside it) keeps the group runnable by `dag.test()`, which runs one
    # task at a time, and keeps the sensors from holding worker slots during the build.
    for task_id, task in group.children.items():
        if task is not producer and task_id != f"{group_id}.dbt_producer_watcher_done":
            producer >> task
            task.trigger_rule = "all_success"  # a build that failed or never ran has no results to read
    return group
