"""The dbt project without a month: its layout (every model's YAML beside its SQL), the sources
generated from the export contract (as the GX suites are), and dbt's unit tests on an empty
warehouse. Nothing here runs a month through the pipeline."""
from __future__ import annotations

import duckdb
import yaml

from gridpulse import config
from gridpulse.contract import tables
from gridpulse.dbt_sources import SOURCES_FILE, render, sources
from gridpulse.load.month import CALENDAR_COLUMNS, PLATFORM_WORD_COLUMNS
from gridpulse.load.raw import table_columns
from gridpulse.schemes import SCHEME_COLUMNS
from gridpulse.signals import SIGNAL_COLUMNS
from gridpulse.transform.dbt import run_dbt

MODELS_DIR = config.DBT_PROJECT_DIR / "models"


def test_committed_sources_equal_the_contract():
    assert SOURCES_FILE.read_text(encoding="utf-8") == render(), "run `python -m gridpulse.dbt_sources`"


def test_sources_describe_the_tables_the_loader_writes():
    described = {t["name"]: [c["name"] for c in t["columns"]] for t in sources()["sources"][0]["tables"]}
    assert described["calendar_days"] == list(CALENDAR_COLUMNS)
    assert described["platform_words"] == list(PLATFORM_WORD_COLUMNS)
    for name, columns in SCHEME_COLUMNS.items():
        assert sorted(described[name]) == sorted(columns), name
    assert described["integrity_signals"] == list(SIGNAL_COLUMNS)
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


def test_dbt_unit_tests_pass(tmp_path):
    """`dbt test --select test_type:unit` (the scoring rules at their edges, ranks, transfers): dbt
    reads the parents' columns from the warehouse, so the raw tables the loader creates are made
    empty and every model is built empty first (`dbt run --empty`)."""
    warehouse = tmp_path / "empty.duckdb"
    raw = {table.name: table_columns(table) for table in tables().values()} | {"calendar_days": CALENDAR_COLUMNS,
                                                                               "platform_words": PLATFORM_WORD_COLUMNS} | SCHEME_COLUMNS | {"integrity_signals": SIGNAL_COLUMNS}
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA raw")
        for name, columns in raw.items():
            con.execute(f'CREATE TABLE raw."{name}" ({", ".join(f"{column} {kind}" for column, kind in columns.items())})')
    run_dbt("run", "--empty", warehouse=warehouse)
    output = run_dbt("test", "--select", "test_type:unit", warehouse=warehouse)  # raises on a failure
    written = sum(len((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", []))
                  for path in MODELS_DIR.rglob("*.yml"))
    assert written > 0 and f"PASS={written} " in output, output[-2000:]
