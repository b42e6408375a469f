"""Runs of the month by the CLI in workspaces of their own, and what a run published, for the
tests that kill, race or repeat runs (crash safety, the month lock)."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb

from gridpulse import config

from conftest import PERIOD
from exports import drop_month


def mart_rows(warehouse: Path) -> dict[str, str]:
    """sha256 of every mart's rows in order, by table."""
    state = {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        marts = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1").fetchall()]
        assert len(marts) >= 10
        for table in marts:
            rows = con.execute(f'SELECT * FROM marts."{table}" ORDER BY ALL').fetchall()
            state[f"marts.{table}"] = hashlib.sha256(repr(rows).encode()).hexdigest()
    finally:
        con.close()
    return state


def published_state() -> dict[str, str]:
    """sha256 of every mart's rows in order, and of every output file."""
    paths = config.paths()
    state = mart_rows(paths.warehouse)
    outputs = sorted((paths.output / PERIOD).iterdir())
    assert {p.suffix for p in outputs} >= {".pdf", ".docx", ".xlsx", ".csv", ".html"}
    for path in outputs:
        state[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def run_workspace(root: Path, demo_month: Path, monkeypatch) -> dict:
    """Point the environment at a new workspace under `root` with the month's export in its
    source; return the environment for a `python -m gridpulse` child process."""
    for key, folder in (("SOURCE", "landing"), ("DATA", "data"), ("OUTPUT", "output")):
        monkeypatch.setenv(f"GRIDPULSE_{key}_DIR", str(root / folder))
    monkeypatch.delenv("GRIDPULSE_WAREHOUSE", raising=False)
    drop_month(demo_month, root / "landing")
    return dict(os.environ)
