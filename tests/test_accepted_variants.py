"""Every variant of a month that validation accepts with a repair (tests/broken/corpus.py,
ACCEPTED in test_broken_corpus.py) loads into `raw` exactly the rows of the clean month, value for
value: a repair never changes what the platform meant. (A case that changes values on purpose,
formula_like_names, is compared everywhere but the two names it changed.) The month is the small
month, as in test_broken_corpus.py: the repairs are the same whatever the number of rows."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent / "broken"))

from gridpulse import config, pipeline  # noqa: E402
from gridpulse.contract import tables  # noqa: E402
from gridpulse.load.raw import table_columns  # noqa: E402

from conftest import MONTH  # noqa: E402
from corpus import CASES  # noqa: E402
from exports import drop_month  # noqa: E402
from test_broken_corpus import ACCEPTED  # noqa: E402

pytestmark = pytest.mark.month

LINEAGE = {"period", "export_id", "archive_id", "source_sha256", "source_row"}
CHANGED_ON_PURPOSE = {"formula_like_names": {("org_units", "org_name")}}


def _raw_rows(monkeypatch, root: Path, month: Path) -> dict[str, list[tuple]]:
    """Validate and load `month` in a workspace of its own; raw's rows per table, by key."""
    for key, folder in (("SOURCE", "landing"), ("DATA", "data"), ("OUTPUT", "output")):
        monkeypatch.setenv(f"GRIDPULSE_{key}_DIR", str(root / folder))
    drop_month(month, root / "landing")
    archived = pipeline.archive(MONTH)
    pipeline.validate(MONTH, archived)
    pipeline.load(MONTH, archived)
    con = duckdb.connect(str(config.paths().building), read_only=True)
    try:
        rows = {}
        for name, table in tables().items():
            columns = [c for c in table_columns(table) if c not in LINEAGE]
            listed = ", ".join(f'"{c}"' for c in columns)
            order = ", ".join(f'"{k}"' for k in table.key)
            rows[name] = (columns, con.execute(f'SELECT {listed} FROM raw."{name}" ORDER BY {order}').fetchall())
        return rows
    finally:
        con.close()


@pytest.fixture(scope="module")
def clean_raw(small_month, tmp_path_factory):
    patch = pytest.MonkeyPatch()
    try:
        yield _raw_rows(patch, tmp_path_factory.mktemp("clean"), small_month)
    finally:
        patch.undo()


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_an_accepted_variant_loads_the_clean_months_values(case, clean_raw, small_month, tmp_path, monkeypatch):
    month = Path(shutil.copytree(small_month, tmp_path / "variant" / small_month.name))
    CASES[case](month)
    variant = _raw_rows(monkeypatch, tmp_path / "run", month)
    changed = CHANGED_ON_PURPOSE.get(case, set())
    for name, (columns, rows) in clean_raw.items():
        assert variant[name][0] == columns
        kept = [i for i, c in enumerate(columns) if (name, c) not in changed]
        ours = [tuple(row[i] for i in kept) for row in variant[name][1]]
        assert ours == [tuple(row[i] for i in kept) for row in rows], f"{case}: raw.{name} differs from the clean month"
        assert len(rows) > 0 or name == "score_adjustments"
