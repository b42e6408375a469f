"""The integrity signals (数据质量提示, marts.rpt_integrity_signals_monthly) on a demo month with the
padding patterns planted (demo/padding.py, include/config/demo/padding.yml): every planted case is
found, with exactly the records planted, and few units are flagged that were not planted; the clean
demo months (渝水区 2022-10 and 2022-11, 百官街道 2021-09) flag nothing. The internal edition prints
the annex in PDF, DOCX and HTML, reconciled; the default edition does not."""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from gridpulse.profile import level_words_table
from gridpulse.signals import KNOWN_SIGNALS, signal_frame

from conftest import MONTH, PERIOD, copy_workspace, once_for_all_workers, point_at
from personal_data import file_text

pytestmark = pytest.mark.month

MAX_UNPLANTED_SHARE = 0.10  # of the units flagged on the planted month (docs/analysts.md gives the figure)


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    """渝水区 2022-11 with the padding mix planted, run through the pipeline; its workspace."""
    from gridpulse import pipeline
    from gridpulse.demo import generate
    from gridpulse.demo.padding import padding_mix

    from exports import drop_month

    def build(root: Path) -> dict:
        patch = pytest.MonkeyPatch()
        try:
            point_at(patch, root)
            drop_month(generate(PERIOD, root / "exports", padding=padding_mix()), root / "landing")
            pipeline.run_month(MONTH)
        finally:
            patch.undo()
        return {}

    return once_for_all_workers(tmp_path_factory, "planted-month", build)[0]


def _signals(warehouse: Path, period: str | None = None) -> dict[tuple[str, str], dict]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        relation = con.sql("SELECT * FROM marts.rpt_integrity_signals_monthly" + (f" WHERE period = '{period}'" if period else ""))
        return {(r["signal_id"], r["unit_id"]): r for r in (dict(zip(relation.columns, row)) for row in relation.fetchall())}
    finally:
        con.close()


def _planted_cases(root: Path) -> dict[tuple[str, str], list[str]]:
    key = json.loads((root / "exports" / f"{PERIOD}.planted.json").read_text(encoding="utf-8"))
    return {(case["signal_id"], case["unit_id"]): case["record_ids"] for case in key}


def test_the_mix_plants_every_signal():
    from gridpulse.demo.padding import padding_mix

    assert set(padding_mix()) == set(KNOWN_SIGNALS) == set(signal_frame(level_words_table()["区"]).signal_id)


@pytest.mark.parametrize("level", ["县", "街道", "旗"])
def test_the_signals_name_the_whole_in_the_districts_own_level_words(level):
    """A county's annex compares with 全县, a street's with 全街道: never a fixed 全区."""
    words = level_words_table()
    texts = " ".join(signal_frame(words[level])[["label_zh", "score_zh", "reference_zh", "explanation_zh"]].stack())
    assert words[level]["whole"] in texts and "{" not in texts
    assert not [other["whole"] for other in words.values() if other["whole"] in texts.replace(words[level]["whole"], "")]


def test_every_planted_case_is_found_with_its_records(planted):
    cases, found = _planted_cases(planted), _signals(planted / "data" / "warehouse" / "gridpulse.duckdb")
    assert {signal for signal, _ in cases} == set(KNOWN_SIGNALS)
    for (signal, unit), records in cases.items():
        row = found.get((signal, unit))
        assert row is not None, f"{signal} not found for {unit}"
        assert row["record_ids"].split(",") == records, (signal, unit)
        assert row["records"] == len(records) and row["strength"] >= 1, (signal, unit)
        assert "不是认定" in row["caveat_zh"] and row["explanation_zh"]


def test_few_units_flagged_that_were_not_planted(planted):
    cases, found = _planted_cases(planted), _signals(planted / "data" / "warehouse" / "gridpulse.duckdb")
    unplanted = set(found) - set(cases)
    assert len(unplanted) <= MAX_UNPLANTED_SHARE * len(found), sorted(unplanted)


def test_no_personal_data_in_the_signals(planted):
    """Names, phones and ID numbers of the export appear nowhere in the mart (ids of records only)."""
    from personal_data import _hits, fixed_text, personal_values

    export = planted / "exports" / PERIOD
    rows = _signals(planted / "data" / "warehouse" / "gridpulse.duckdb")
    text = "\n".join(str(value) for row in rows.values() for value in row.values())
    assert _hits(text, personal_values(export, fixed_text(export) + text), "signals") == []


def test_clean_months_flag_nothing(two_month_warehouse, seed_months):
    for period in ("2022-10", "2022-11"):
        assert _signals(two_month_warehouse, period) == {}, period
    assert _signals(seed_months / "data" / "warehouse" / "gridpulse.duckdb") == {}


def _annex_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "数据质量提示" in line]


def test_internal_edition_prints_the_annex_default_edition_does_not(planted, tmp_path, monkeypatch):
    from gridpulse import config
    from gridpulse.bulletin import build
    from gridpulse.publish import outputs

    workspace = copy_workspace(planted, tmp_path / "workspace")
    point_at(monkeypatch, workspace)
    published = config.paths().output / PERIOD
    for suffix in (".pdf", ".docx", ".html"):
        assert not _annex_lines(file_text(published / f"bulletin{suffix}")), f"default edition{suffix} has the annex"
    conf = build.settings() | {"integrity_annex": True}
    monkeypatch.setattr(build, "settings", lambda: conf)
    internal = outputs.render_outputs(PERIOD, config.paths().warehouse)  # reconciled, or it raises
    cases = _planted_cases(planted)
    for suffix in (".pdf", ".docx", ".html"):
        text = file_text(internal / f"bulletin{suffix}")
        assert _annex_lines(text), f"internal edition{suffix} lacks the annex"
        for label in signal_frame(config.profile().words()).label_zh:
            assert label in text, (suffix, label)
        for signal, unit in cases:
            if signal in ("instant_closes", "late_timestamps"):
                continue  # grids print by name
            assert f"网格员{unit}" in re.sub(r"\s", "", text), (suffix, unit)
        assert "不是认定弄虚作假的结论" in re.sub(r"\s", "", text), suffix


def test_the_month_stays_the_same_without_planting(tmp_path, demo_month):
    """Planting is off by default: the month generated without it is the demo month byte for byte."""
    from gridpulse.demo import generate

    again = generate(PERIOD, tmp_path)
    for path in sorted(demo_month.iterdir()):
        assert path.read_bytes() == (again / path.name).read_bytes(), path.name
    assert not (tmp_path / f"{PERIOD}.planted.json").exists()



def test_the_trends_dashboard_has_a_page_of_the_signals(planted):
    from gridpulse.dashboard.server import render

    warehouse = planted / "data" / "warehouse" / "gridpulse.duckdb"
    status, front = render("/", {}, warehouse)
    assert status == 200 and f'href="/signals?period={PERIOD}"' in front
    status, html = render("/signals", {"period": PERIOD}, warehouse)
    assert status == 200 and "不是认定弄虚作假的结论" in html
    for (signal, unit), records in _planted_cases(planted).items():
        assert records[0] in html, (signal, unit)
        if signal not in ("instant_closes", "late_timestamps"):
            assert f"网格员{unit}" in html


def test_the_worked_question_lists_the_planted_cases(planted):
    """docs/analysts.md's question 18, run as written on the planted month."""
    from test_analyst_queries import questions

    con = duckdb.connect(str(planted / "data" / "warehouse" / "gridpulse.duckdb"), read_only=True)
    try:
        relation = con.sql(questions()[18])
        rows = [dict(zip(relation.columns, row)) for row in relation.fetchall()]
    finally:
        con.close()
    cases = _planted_cases(planted)
    assert {(r["unit_id"], r["record_ids"]) for r in rows} >= {(unit, ",".join(ids)) for (_, unit), ids in cases.items()}
    assert [float(r["strength"]) for r in rows] == sorted((float(r["strength"]) for r in rows), reverse=True)
