"""A district's own scheme, under an id the project has never seen, is first class: a copy of the
shipped township scheme with other weights builds, passes every dbt test, publishes with the scores
its file says, and a draft under yet another new id can be tried on that month with `whatif`.
Nothing in code, dbt or shared configuration knows a scheme by its id (tests/test_no_demo_ids.py)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from gridpulse import config
from gridpulse.catalogue import mart_models, shipped_schemes, uncatalogued
from gridpulse.numbers import round_half_up

from conftest import PERIOD
from runs import run_workspace

pytestmark = pytest.mark.month

SHIPPED_TOWNSHIP = next(s for s in shipped_schemes() if s["org_level"] == "township")
OWN_ID = "own_township_rules_2031"
DRAFT_ID = "own_township_draft_2032"


def _copy_of(scheme: dict, scheme_id: str, weights: dict[str, float]) -> dict:
    """The scheme under a new id with some items reweighted (other items lose what those gain, so
    the total stays 100)."""
    copy = yaml.safe_load(yaml.safe_dump(scheme, allow_unicode=True))
    copy["scheme_id"], copy["title_zh"] = scheme_id, f"{scheme_id} 考核"
    for item in copy["items"]:
        item["weight"] = weights.get(item["item_id"], item["weight"])
    return copy


def _write(folder: Path, scheme: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{scheme['scheme_id']}.yml"
    path.write_text(yaml.safe_dump(scheme, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _expected_score(item: dict, value: float | None) -> float:
    """What the scheme file says an item scores for a value (the rules in include/schemes/)."""
    weight = float(item["weight"])
    if value is None or value != value:
        share = 1.0 if item.get("if_undefined", "zero") == "full" else 0.0
    elif item["rule"] == "proportional":
        share = min(value / item["standard"], 1.0)
    elif item["rule"] == "linear_band":
        lo, hi = item["band"]["lo"], item["band"]["hi"]
        share = min(max((value - lo) / (hi - lo), 0.0), 1.0)
    else:
        raise AssertionError(f"this test recomputes proportional and linear_band items, not {item['rule']}")
    return float(round_half_up(weight * share, int(item["decimals"])))


def _gridpulse(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gridpulse", *args], capture_output=True, text=True, env=env,
                          cwd=config.PROJECT_DIR)


@pytest.fixture(scope="module")
def own_scheme_month(small_month, tmp_path_factory):
    """small_month run by `python -m gridpulse run` under settings whose only scheme is OWN_ID."""
    root = tmp_path_factory.mktemp("own-scheme")
    schemes = root / "schemes"
    shutil.copytree(config.SCHEMES_DIR, schemes)
    weights = {"event_volume": 10.0, "timeliness": 30.0}  # 20 and 20 in the shipped scheme
    own = _copy_of(SHIPPED_TOWNSHIP, OWN_ID, weights)
    _write(schemes, own)
    settings = config.read_yaml(config.CONFIG_DIR / "gridpulse.yml") | {"schemes": [OWN_ID]}
    settings_file = root / "gridpulse-own.yml"
    settings_file.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    patch = pytest.MonkeyPatch()
    patch.setenv("GRIDPULSE_CONFIG", str(settings_file))
    patch.setenv("GRIDPULSE_SCHEMES_DIR", str(schemes))
    env = run_workspace(root, small_month, patch)
    done = _gridpulse("run", "--period", PERIOD, env=env)
    yield {"done": done, "env": env, "own": own, "schemes": schemes, "root": root}
    patch.undo()


def _scores(warehouse: Path, scheme_id: str):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        items = con.execute("SELECT org_id, item_id, value, weight, score FROM marts.fct_score_monthly "
                            "WHERE period = ? AND scheme_id = ?", [PERIOD, scheme_id]).df()
        totals = con.execute("SELECT org_id, total_score FROM marts.rpt_ranking_monthly WHERE period = ? AND scheme_id = ?",
                             [PERIOD, scheme_id]).df()
    finally:
        con.close()
    return items, totals


def _assert_scored_by(scheme: dict, items, totals) -> None:
    by_id = {item["item_id"]: item for item in scheme["items"]}
    assert set(items.item_id) == set(by_id) and len(totals) > 0
    for row in items.itertuples():
        value = None if row.value is None or row.value != row.value else float(row.value)
        assert row.weight == pytest.approx(by_id[row.item_id]["weight"])
        assert row.score == pytest.approx(_expected_score(by_id[row.item_id], value), abs=1e-9), (row.org_id, row.item_id)
    summed = items.groupby("org_id").score.sum()
    for row in totals.itertuples():
        assert row.total_score == pytest.approx(summed[row.org_id], abs=0.005)


def test_every_shipped_scheme_indicator_is_catalogued_at_its_level():
    assert uncatalogued(mart_models(), shipped_schemes()) == []
    renamed = _copy_of(SHIPPED_TOWNSHIP, OWN_ID, {})
    assert uncatalogued(mart_models(), [renamed]) == []  # the catalogue does not know schemes by id


def test_a_scheme_under_a_new_id_builds_tests_and_publishes(own_scheme_month):
    done = own_scheme_month["done"]
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    warehouse = config.paths().warehouse
    items, totals = _scores(warehouse, OWN_ID)
    _assert_scored_by(own_scheme_month["own"], items, totals)
    assert (items[items.item_id == "timeliness"].score > 20).any()  # the new weight, not the shipped one
    published = config.paths().output / PERIOD
    assert {p.suffix for p in published.iterdir()} >= {".pdf", ".docx", ".xlsx", ".csv", ".html"}


def test_whatif_tries_a_draft_under_another_new_id(own_scheme_month, tmp_path):
    assert own_scheme_month["done"].returncode == 0
    draft = _copy_of(SHIPPED_TOWNSHIP, DRAFT_ID, {"event_volume": 30.0, "timeliness": 10.0})
    path = _write(tmp_path / "drafts", draft)
    tried = _gridpulse("whatif", "--period", PERIOD, "--scheme", str(path), env=own_scheme_month["env"] | dict(os.environ))
    assert tried.returncode == 0, (tried.stdout + tried.stderr)[-4000:]
    assert f"{DRAFT_ID} (draft) against {OWN_ID} (published)" in tried.stdout
    scratch = config.paths().warehouse.parent / "whatif" / f"{PERIOD}-{DRAFT_ID}.duckdb"
    _assert_scored_by(draft, *_scores(scratch, DRAFT_ID))
