"""The demo export looks like the platform's: its files, headers, encodings and manifest, the
district of seed 000, and the same bytes for the same seed."""
from __future__ import annotations

import json

import pytest

from gridpulse import config
from gridpulse.contract import tables
from gridpulse.demo import generate
from gridpulse.sources.manifest import sha256_of
from gridpulse.validate.export import read_export

from conftest import MONTH, PERIOD

MAPPING = config.platform_mapping()


@pytest.fixture(scope="module")
def export(demo_month, tmp_path_factory):
    return read_export(demo_month, MONTH, tmp_path_factory.mktemp("scratch"))


def test_manifest_lists_every_file_with_its_rows_and_checksum(demo_month):
    manifest = json.loads((demo_month / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"] == PERIOD
    assert {entry["table"] for entry in manifest["files"]} == set(tables())
    for entry in manifest["files"]:
        assert sha256_of(demo_month / entry["file"]) == entry["sha256"]


def test_files_use_the_platforms_headers_and_encodings(demo_month, export):
    assert export.problems == []  # every header maps, every cell reads, every row count matches
    raw = (demo_month / "事件.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the platform writes events in GBK
    headers = raw.decode("gbk").splitlines()[0].split(",")
    assert headers == list(MAPPING["files"]["events"]["columns"])


def test_the_district_of_seed_000(export):
    units = export.frame("org_units")
    levels = units.org_level.value_counts()
    assert levels["township"] == 17 and levels["village"] == 241
    assert len(export.frame("grid_workers")) == 1372
    assert len(export.frame("special_population")) == 1028
    assert len(export.frame("disputes")) == 590
    assert 31_000 <= len(export.frame("events")) <= 35_000
    assert set(export.frame("events").category) <= set(tables()["events"].columns["category"].values)
    townships = units[units.org_level == "township"].set_index("org_id")
    assert set(townships.org_name) >= {"界水乡", "人和乡", "通洲办", "仙来办"}
    villages = units[units.org_level == "village"]
    assert villages.groupby("parent_org_id").size().min() >= 5
    grid_township = units.set_index("org_id").parent_org_id
    workers_per_township = export.frame("grid_workers").grid_id.map(grid_township).map(grid_township).value_counts()
    assert workers_per_township.min() >= 20 and len(workers_per_township) == 17


def test_fake_personal_data_is_there_as_in_real_exports(export):
    workers = export.frame("grid_workers")
    assert workers.id_number.str.fullmatch(r"\d{17}[\dX]").all()
    assert workers.phone.str.fullmatch(r"1\d{10}").all()


def test_same_seed_same_bytes_other_seed_other_data(tmp_path, demo_month):
    again = generate(PERIOD, tmp_path / "again")
    other = generate(PERIOD, tmp_path / "other", seed=7)
    for path in demo_month.iterdir():
        assert sha256_of(path) == sha256_of(again / path.name), f"{path.name} differs for the same seed"
    assert sha256_of(demo_month / "事件.csv") != sha256_of(other / "事件.csv")


def test_scale_grows_the_region(tmp_path):
    month = generate(PERIOD, tmp_path, scale=2.0)
    data = read_export(month, MONTH, tmp_path)
    assert data.problems == []
    assert (data.frame("org_units").org_level == "township").sum() == 34
    assert len(data.frame("grid_workers")) == 2 * 1372


def test_other_months_vary_around_the_calibrated_one(tmp_path):
    """Each month is its own, and the same month twice is the same bytes: the townships' figures
    move (patrols, events, timeliness) and a worker leaves mid-month, replaced the next day."""
    from gridpulse.period import Period

    months = {p: generate(p, tmp_path / "months", scale=0.1) for p in ("2022-09", "2022-10", "2022-11")}
    again = generate("2022-10", tmp_path / "again", scale=0.1)
    assert all(sha256_of(path) == sha256_of(again / path.name) for path in months["2022-10"].iterdir())
    read = {p: read_export(folder, Period.parse(p), tmp_path / f"scratch-{p}") for p, folder in months.items()}
    assert all(data.problems == [] for data in read.values())
    events = {p: data.frame("events") for p, data in read.items()}
    patrols = {p: len(data.frame("patrols")) for p, data in read.items()}
    overdue = {p: int((e.closed_at.isna() | (e.closed_at > e.due_at)).sum()) for p, e in events.items()}
    assert len(set(patrols.values())) == 3 and len(set(overdue.values())) == 3
    for period in ("2022-09", "2022-10"):  # a worker leaves, and the grid's newcomer starts the next day
        workers = read[period].frame("grid_workers")
        left = workers[workers.active_to.notna()]
        assert len(left) == 1 and left.active_to.iloc[0].strftime("%Y-%m") == period
        newcomer = workers[(workers.grid_id == left.grid_id.iloc[0]) & (workers.worker_id != left.worker_id.iloc[0])]
        assert (newcomer.active_from - left.active_to.iloc[0]).dt.days.tolist() == [1]
    assert read["2022-11"].frame("grid_workers").active_to.isna().all()  # the calibrated month as it was
