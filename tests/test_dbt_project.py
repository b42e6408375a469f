"""The dbt project's layout and generated files: every model's YAML beside its SQL, and the
sources generated from the export contract (as the GX suites are), so neither can drift."""
from __future__ import annotations

import yaml

from gridpulse import config
from gridpulse.dbt_sources import SOURCES_FILE, render, sources
from gridpulse.load.month import CALENDAR_COLUMNS
from gridpulse.schemes import SCHEME_COLUMNS

MODELS_DIR = config.DBT_PROJECT_DIR / "models"


def test_committed_sources_equal_the_contract():
    assert SOURCES_FILE.read_text(encoding="utf-8") == render(), "run `python -m gridpulse.dbt_sources`"


def test_sources_describe_the_tables_the_loader_writes():
    described = {t["name"]: [c["name"] for c in t["columns"]] for t in sources()["sources"][0]["tables"]}
    assert described["calendar_days"] == list(CALENDAR_COLUMNS)
    for name, columns in SCHEME_COLUMNS.items():
        assert sorted(described[name]) == sorted(columns), name
    assert "worker_name" not in described["grid_workers"] and "source_row" in described["grid_workers"]


def test_every_model_is_described_in_a_yaml_file_beside_it():
    """<model>.yml beside <model>.sql describes that model (and its unit tests), and nothing else."""
    problems = []
    for sql in sorted(MODELS_DIR.rglob("*.sql")):
        own = sql.with_suffix(".yml")
        if not own.exists():
            problems.append(f"{sql.relative_to(MODELS_DIR)}: no {own.name}")
    for path in sorted(MODELS_DIR.rglob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names = {m["name"] for m in content.get("models", [])} | {u["model"] for u in content.get("unit_tests", [])}
        if path.name.startswith("_"):
            if names:
                problems.append(f"{path.relative_to(MODELS_DIR)}: describes {sorted(names)}; each model's YAML sits beside it")
        elif names != {path.stem}:
            problems.append(f"{path.relative_to(MODELS_DIR)}: describes {sorted(names)}, not only {path.stem}")
    assert problems == []
