"""A district's profile is read into one typed model that refuses what it does not know, with the
file and the key named; `config check` prints what the district gets; `district new` writes a
profile that passes it; nothing of one district is lent to another by a shared settings file."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gridpulse import config
from gridpulse.delivery import settings as delivery_settings
from gridpulse.profile import ProfileError, checked

from conftest import PROJECT_DIR

DEMO = yaml.safe_load((config.CONFIG_DIR / "gridpulse.yml").read_text(encoding="utf-8"))


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GRIDPULSE_")}
    return subprocess.run([sys.executable, "-m", "gridpulse", *args], cwd=PROJECT_DIR, capture_output=True, text=True,
                          env=clean | {"PYTHONPATH": str(PROJECT_DIR / "include")} | env, timeout=300)


def _profile(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(yaml.safe_dump(DEMO))
    change(data)
    path = tmp_path / "profile.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("change", "named"), [
    (lambda d: d["district"].update(leval="区"), "unknown key 'district.leval'"),
    (lambda d: d.update(colour="red"), "unknown key 'colour'"),
    (lambda d: d["district"].pop("code"), "'district.code' is required"),
    (lambda d: d["district"].update(level="省会"), "'district.level': unknown level '省会'; write one of 区, 县"),
    (lambda d: d["district"].update(code="36-05"), "'district.code'"),
    (lambda d: d.update(platform="nowhere"), "no platform mapping 'nowhere'"),
    (lambda d: d.update(schemes=["no_such_scheme"]), "no scheme file for ['no_such_scheme']"),
    (lambda d: d["district"].update(doc_number="某办〔{year}〕号"), "holds {number}"),
    (lambda d: d["district"].update(doc_numbers={"2021-9": 45}), "'district.doc_numbers.2021-9"),
    (lambda d: d["district"].update(issue_dates={"2022-11": "12月2日"}), "'district.issue_dates.2022-11'"),
])
def test_config_check_refuses_a_wrong_profile_naming_file_and_key(tmp_path, change, named):
    path = _profile(tmp_path, change)
    with pytest.raises(ProfileError) as refused:
        checked(yaml.safe_load(path.read_text(encoding="utf-8")), path)
    assert str(path) in str(refused.value) and named in str(refused.value)
    done = _cli("config", "check", "--settings", str(path))
    assert done.returncode == 2 and named in done.stdout and str(path) in done.stdout and "Traceback" not in done.stderr


def test_config_check_prints_what_the_district_gets():
    done = _cli("config", "check", "--settings", "include/config/gridpulse-baiguan.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    for words in ("level 街道", "全街道 · 各村（社区）", "发文字号 百办〔{year}〕{number}号", "三、下一步计划", "folder      warehouse:"):
        assert words in done.stdout


def test_district_new_writes_a_profile_that_config_check_accepts(tmp_path):
    deployment = tmp_path / "city.yml"
    deployment.write_text(yaml.safe_dump({
        "deployment": {"code": "9901", "name": "试验市", "data_dir": str(tmp_path / "data"), "output_dir": str(tmp_path / "out")},
        "districts": [{"code": "990121", "name": "东岭县", "settings": str(_profile(tmp_path, lambda d: d["district"].update(
            code="990121", name="东岭县", level="县")))}]}, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "990182.yml"
    done = _cli("district", "new", "--code", "990182", "--name", "西滩市", "--level", "县级市",
                "--platform", "zhejiang_sipingtai", "--out", str(out), "--add-to", str(deployment))
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert 'code: "990182"' in text and "level: 县级市" in text and "# " in text  # commented
    checked_ = _cli("--deployment", str(deployment), "config", "check")
    assert checked_.returncode == 0, checked_.stdout + checked_.stderr
    assert "西滩市 (990182), level 县级市" in checked_.stdout and "全市 · 各乡镇（街道）" in checked_.stdout
    assert "东岭县 (990121), level 县" in checked_.stdout and "全县 · 各乡镇" in checked_.stdout
    again = _cli("district", "new", "--code", "990182", "--name", "西滩市", "--level", "县级市",
                 "--platform", "zhejiang_sipingtai", "--out", str(out))
    assert again.returncode == 2 and "exists already" in again.stderr
    bad = _cli("district", "new", "--code", "990183", "--name", "北坪区", "--level", "区县", "--platform", "jiangxi_shzl",
               "--out", str(tmp_path / "x.yml"))
    assert bad.returncode == 2 and "--level '区县'" in bad.stderr and not (tmp_path / "x.yml").exists()


def test_a_district_over_another_districts_settings_file_takes_none_of_its_words(tmp_path):
    """An entry over 渝水区's settings file that writes no letterhead is refused, where it used to
    print 渝水区's issuer, addressees, sender and level words."""
    deployment = tmp_path / "city.yml"
    entry = {"code": "990102", "name": "南溪区", "settings": "include/config/gridpulse.yml"}
    deployment.write_text(yaml.safe_dump({"deployment": {"code": "9901", "name": "试验市"}, "districts": [entry]},
                                         allow_unicode=True), encoding="utf-8")
    with pytest.raises(ProfileError) as refused:
        config._deployment_of(deployment, str(tmp_path), str(tmp_path))
    for key in ("district.level", "district.issuer", "district.addressees"):
        assert f"'{key}' is required" in str(refused.value)
    entry["district"] = {"level": "区", "issuer": "南溪区平安办", "addressees": "各街道综治中心"}
    deployment.write_text(yaml.safe_dump({"deployment": {"code": "9901", "name": "试验市"}, "districts": [entry]},
                                         allow_unicode=True), encoding="utf-8")
    district = config._deployment_of(deployment, str(tmp_path), str(tmp_path)).district("990102")
    assert "sender" not in district.settings["district"] and "words" not in district.settings["district"]
    assert "delivery" not in district.settings  # 渝水区's recipients are its own
    assert district.settings["platform"] == DEMO["platform"] and district.settings["schemes"] == DEMO["schemes"]


def test_a_delivery_file_extends_one_beside_it_or_in_the_project(tmp_path):
    (tmp_path / "base.yml").write_text("sender_name: 试验中心\nsummary_units: 2\norgs: {}\n", encoding="utf-8")
    beside = tmp_path / "city.yml"
    beside.write_text("extends: base.yml\norgs: {'9901': {name: 试验市, email: [a@example.org]}}\n", encoding="utf-8")
    assert delivery_settings.delivery_in(beside)["sender_name"] == "试验中心"
    in_project = tmp_path / "district.yml"
    in_project.write_text("extends: include/config/delivery.yml\n", encoding="utf-8")
    assert delivery_settings.delivery_in(in_project)["orgs"] == {}
    broken = tmp_path / "broken.yml"
    broken.write_text("extends: nowhere.yml\n", encoding="utf-8")
    with pytest.raises(delivery_settings.DeliverySettingsError, match="extends nowhere.yml"):
        delivery_settings.delivery_in(broken)


def test_delivering_a_month_that_was_not_published_says_why(tmp_path):
    env = {"GRIDPULSE_DATA_DIR": str(tmp_path / "data"), "GRIDPULSE_OUTPUT_DIR": str(tmp_path / "out")}
    never = _cli("deliver", "--period", "2022-11", **env)
    assert never.returncode == 1 and "未发布" in never.stderr and "python -m gridpulse run --period 2022-11" in never.stderr
    assert "Traceback" not in never.stderr
    report = tmp_path / "data" / "quarantine" / "2022-11" / "jiangxi_shzl-2022-11-1" / "validation_report.txt"
    report.parent.mkdir(parents=True)
    report.write_text("refused\n", encoding="utf-8")
    refused = _cli("deliver", "--period", "2022-11", **env)
    assert refused.returncode == 1 and "导出被拒收" in refused.stderr and str(report) in refused.stderr
