"""The demo months of many districts: the city 新余市's three districts (include/config/deployments/
xinyu.yml), each written in its own platform's layout under its own code, and a small generated
province (the benchmark's, at 3 districts). Months are generated and read back; none is run."""
from __future__ import annotations

import json

import pytest

from gridpulse import config
from gridpulse.demo.deployment import generate_deployment
from gridpulse.demo.province import generate_province
from gridpulse.sources.manifest import sha256_of
from gridpulse.validate.export import read_export

from conftest import MONTH, PERIOD

XINYU = config.project_path("include/config/deployments/xinyu.yml")


FOLDERS = ("GRIDPULSE_DATA_DIR", "GRIDPULSE_OUTPUT_DIR", "GRIDPULSE_SOURCE_DIR", "GRIDPULSE_PLATFORM", "GRIDPULSE_DISTRICT")


def _own_folders(patch: pytest.MonkeyPatch, data_dir=None) -> None:
    """A deployment's folders are its file's (or below data_dir), not a test workspace's."""
    for name in FOLDERS:
        patch.delenv(name, raising=False)
    if data_dir:
        patch.setenv("GRIDPULSE_DATA_DIR", str(data_dir))


@pytest.fixture(autouse=True)
def own_folders(monkeypatch):
    _own_folders(monkeypatch)


@pytest.fixture(scope="module")
def xinyu(tmp_path_factory):
    """The city's three demo months, below a data folder of their own: (that folder, code -> month)."""
    data = tmp_path_factory.mktemp("xinyu")
    with pytest.MonkeyPatch.context() as patch:
        _own_folders(patch, data)
        return data, {district.code: district for district in generate_deployment(PERIOD, XINYU, processes=1)}


def _read(folder, platform, tmp_path):
    return read_export(folder, MONTH, tmp_path, mapping=config.platform_mapping(platform))


def test_every_district_of_the_city_gets_its_month_in_its_own_folder(xinyu, monkeypatch):
    data, xinyu = xinyu
    monkeypatch.setenv("GRIDPULSE_DATA_DIR", str(data))
    deployment = config.deployment(XINYU)
    assert list(xinyu) == [d.code for d in deployment.districts] == ["360502", "360521", "360591"]
    for district in deployment.districts:
        assert xinyu[district.code].folder == deployment.paths_of(district.code).source / PERIOD
        assert xinyu[district.code].name == district.name


@pytest.mark.parametrize("code, platform", [("360502", "jiangxi_shzl"), ("360521", "jiangxi_shzl"), ("360591", "zhejiang_sipingtai")])
def test_each_month_is_in_its_districts_platform_under_its_code(xinyu, code, platform, tmp_path):
    month = xinyu[1][code]
    assert month.platform == platform == config.deployment(XINYU).district(code).settings["platform"]
    mapping = config.platform_mapping(platform)
    manifest = json.loads((month.folder / config.manifest_name(mapping)).read_text(encoding="utf-8"))
    assert manifest["platform"] == platform
    assert {entry["file"] for entry in manifest["files"]} == {spec["file"] for spec in mapping["files"].values()}
    data = _read(month.folder, platform, tmp_path)
    assert data.problems == []  # every header maps through the platform's mapping, every row count matches
    events = mapping["files"]["events"]
    raw = (month.folder / events["file"]).read_bytes()
    assert raw.decode("gbk").splitlines()[0].split(",") == list(events["columns"])  # GBK, the platform's headers
    units = data.frame("org_units")
    assert units.loc[units.org_level == "district", "org_id"].tolist() == [code]
    assert units.org_id.str.startswith(code).all()
    assert (units.org_level == "township").sum() == {"360502": 17, "360521": 10, "360591": 6}[code]


def test_the_citys_yushui_is_the_demo_month_and_the_others_are_smaller(xinyu, demo_month):
    xinyu = xinyu[1]
    for path in demo_month.iterdir():
        assert sha256_of(path) == sha256_of(xinyu["360502"].folder / path.name), path.name
    assert xinyu["360502"].rows > xinyu["360521"].rows > xinyu["360591"].rows


def test_no_two_districts_share_drawn_people(xinyu, tmp_path):
    ids = [set(_read(month.folder, month.platform, tmp_path / month.code).frame("grid_workers").id_number) for month in xinyu[1].values()]
    assert not ids[0] & ids[1] and not ids[0] & ids[2] and not ids[1] & ids[2]


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        _own_folders(patch)
        return generate_province(3, PERIOD, tmp_path_factory.mktemp("province"), scale=0.2, processes=1)


def test_a_generated_province_loads_as_a_deployment_with_unique_codes(province, tmp_path):
    deployment = config.deployment(province.deployment_file)
    assert deployment.level == "province" and len(deployment.districts) == 3
    assert deployment.data_dir == province.deployment_file.parent / "data"
    codes = [d.code for d in deployment.districts]
    assert len(set(codes)) == 3
    assert all(len(c) == 6 and c.startswith("36") and c[:4] == d.city["code"] for c, d in zip(codes, deployment.districts))
    assert {d.settings["platform"] for d in deployment.districts} == {"jiangxi_shzl", "zhejiang_sipingtai"}
    townships = []
    for district, month in zip(deployment.districts, province.districts):
        assert month.code == district.code and month.folder == deployment.paths_of(district.code).source / PERIOD
        data = _read(month.folder, district.settings["platform"], tmp_path / district.code)
        assert data.problems == []
        units = data.frame("org_units")
        assert units.org_id.str.startswith(district.code).all()
        mine = units[units.org_level == "township"]
        assert 10 <= len(mine) <= 20 and mine.org_id.str.fullmatch(district.code + r"\d{3}").all()
        townships += mine.org_id.tolist()
    assert len(set(townships)) == len(townships)


def test_a_generated_province_is_the_same_for_the_same_seed(province, tmp_path):
    again = generate_province(3, PERIOD, tmp_path / "again", scale=0.2, processes=2)
    assert [d.code for d in again.districts] == [d.code for d in province.districts]
    first, second = (p.deployment_file.read_text(encoding="utf-8") for p in (province, again))
    # the same file but for the folders it names
    assert first.replace(str(province.deployment_file.parent), "OUT") == second.replace(str(again.deployment_file.parent), "OUT")
    for one, other in zip(province.districts, again.districts):
        for path in one.folder.iterdir():
            assert sha256_of(path) == sha256_of(other.folder / path.name), f"{one.code} {path.name}"
