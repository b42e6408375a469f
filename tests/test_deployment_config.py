"""A deployment of several districts as data (include/config/deployments/xinyu.yml): each district's
settings are its settings file overlaid by its entry; while a step runs as a district, settings,
folders, holidays and recipients are that district's own. No month is run here."""
from __future__ import annotations

import os
from datetime import date

import pytest

from gridpulse import calendar, config
from gridpulse.delivery import settings as delivery_settings

from conftest import PROJECT_DIR

CITY = PROJECT_DIR / "include" / "config" / "deployments" / "xinyu.yml"


@pytest.fixture
def city(monkeypatch, tmp_path):
    monkeypatch.setenv("GRIDPULSE_DEPLOYMENT", str(CITY))
    monkeypatch.setenv("GRIDPULSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GRIDPULSE_OUTPUT_DIR", str(tmp_path / "output"))
    monkeypatch.delenv("GRIDPULSE_SOURCE_DIR", raising=False)
    monkeypatch.delenv("GRIDPULSE_CONFIG", raising=False)
    monkeypatch.setenv("GRIDPULSE_DISTRICT", "")  # absent after the test, whatever in_district did
    monkeypatch.delenv("GRIDPULSE_DISTRICT")
    return config.deployment()


def test_the_hierarchy_and_the_districts_are_data(city):
    assert (city.code, city.name, city.level, city.parent["name"]) == ("3605", "新余市", "city", "江西省")
    assert [(d.code, d.name) for d in city.districts] == [("360502", "渝水区"), ("360521", "分宜县"), ("360591", "仙女湖区")]
    assert {d.code: d.settings["platform"] for d in city.districts} == {
        "360502": "jiangxi_shzl", "360521": "jiangxi_shzl", "360591": "zhejiang_sipingtai"}
    xiannvhu = city.district("360591")
    # the entry's letterhead over the settings file's; what it does not set comes from the file
    assert xiannvhu.settings["district"]["issuer"] == "仙女湖区平安建设领导小组办公室"
    assert xiannvhu.settings["district"]["code"] == "360591"
    assert xiannvhu.settings["schemes"] == city.district("360502").settings["schemes"]
    with pytest.raises(KeyError, match="360502, 360521, 360591"):
        city.district("360999")


def test_a_step_running_as_a_district_reads_its_settings_folders_holidays_and_recipients(city, tmp_path):
    default_holidays = calendar.holiday_file()
    for district in city.districts:
        with config.in_district(district.code):
            assert os.environ["GRIDPULSE_DISTRICT"] == district.code
            assert config.settings()["district"]["name"] == district.name
            paths = config.paths()
            assert paths.warehouse == tmp_path / "data" / district.code / "warehouse" / "gridpulse.duckdb"
            assert paths.output == tmp_path / "output" / district.code
            orgs = delivery_settings.delivery()["orgs"]
            assert orgs and all(code.startswith(district.code) for code in orgs), district.code  # its own only
            holidays = calendar.holiday_file()
        assert (holidays != default_holidays) == (district.code == "360591")
    assert "GRIDPULSE_DISTRICT" not in os.environ  # the block leaves the process as it found it
    festival = date(2023, 8, 22)  # a Tuesday 仙女湖区's holiday file takes off
    assert calendar.is_workday(festival)
    with config.in_district("360591"):
        assert not calendar.is_workday(festival)


def test_the_rollup_has_the_citys_recipients_and_its_own_folders(city, tmp_path):
    conf = delivery_settings.delivery_in(city.delivery)
    assert set(conf["orgs"]) == {"3605"}
    assert [a["file"] for a in conf["attachments"]] == ["rollup_bulletin.pdf", "rollup_bulletin.docx", "rollup.xlsx"]
    assert city.rollup_warehouse == tmp_path / "data" / "rollup" / "warehouse.duckdb"
    assert city.rollup_output == tmp_path / "output" / "rollup"


def test_a_district_listed_twice_is_refused(tmp_path):
    twice = tmp_path / "twice.yml"
    twice.write_text("deployment: {code: '3605', name: 新余市}\n"
                     "districts:\n  - {code: '360502', name: 渝水区}\n  - {code: '360502', name: 渝水区}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="listed twice"):
        config.deployment(twice)


def test_a_rollup_before_any_district_has_published_names_them_all(city):
    from gridpulse import pipeline
    from gridpulse.period import Period

    published = pipeline.rollup(Period.parse("2022-11"))
    assert set(published) == {"rollup.xlsx", "rollup_bulletin.docx", "rollup_bulletin.html", "rollup_bulletin.pdf"}
    html = (city.rollup_output / "2022-11" / "rollup_bulletin.html").read_text(encoding="utf-8")
    assert "全市3个县（区）中，尚无县（区）发布本月考核结果；渝水区（尚未收到导出）、分宜县（尚未收到导出）、仙女湖区（尚未收到导出）未纳入本次汇总" in html
