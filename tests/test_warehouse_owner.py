"""A warehouse belongs to one district: it records the district (and deployment) whose months it
holds, and a run of another district refuses to write into it, naming both. Two settings files
that leave `paths` as they are (the same data/ folder) can never share a warehouse by accident;
a warehouse from before the record is adopted by the first district that runs on it."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

import duckdb
import pytest
import yaml

from gridpulse import config
from gridpulse.warehouse import owner

from conftest import PERIOD
from exports import drop_month

OTHER = {"code": "990301", "name": "试验县"}  # a district the project has never seen


def _settings_of_another_district(folder) -> str:
    """The default settings with another district's code and name, and nothing else changed:
    paths, and so the warehouse, stay where the first district's are."""
    settings = config.read_yaml(config.CONFIG_DIR / "gridpulse.yml")
    settings["district"] = {**settings["district"], **OTHER}
    path = folder / "gridpulse-other.yml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return str(path)


def _digests(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.month
def test_another_district_on_the_same_data_folder_is_refused(published_copy, tmp_path, monkeypatch):
    from gridpulse.demo.deployment import as_district
    from gridpulse.demo.generator import demo_spec, generate

    paths = config.paths()
    first = {"warehouse": hashlib.sha256(paths.warehouse.read_bytes()).hexdigest(), "output": _digests(paths.output)}
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    assert owner.recorded(con) == owner.Owner("360502", "渝水区")  # the first district's, recorded at its load
    con.close()

    monkeypatch.setenv("GRIDPULSE_CONFIG", _settings_of_another_district(tmp_path))
    assert config.paths().warehouse == paths.warehouse  # the accident: the same warehouse
    month = generate(PERIOD, tmp_path / "export", scale=0.05, spec=as_district(demo_spec("yushui"), OTHER["code"], OTHER["name"]))
    shutil.rmtree(paths.source / PERIOD)  # the first district's export of the month, already published
    drop_month(month, paths.source)
    done = subprocess.run([sys.executable, "-m", "gridpulse", "run", "--period", PERIOD], capture_output=True, text=True,
                          env=dict(os.environ), cwd=config.PROJECT_DIR)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"数据仓库 {paths.warehouse} 属于 渝水区（360502）" in done.stderr
    assert f"本次运行的配置是 {OTHER['name']}（{OTHER['code']}）：拒绝写入" in done.stderr
    assert "Traceback" not in done.stderr
    # the first district's published month is as it was, byte for byte
    assert hashlib.sha256(paths.warehouse.read_bytes()).hexdigest() == first["warehouse"]
    assert _digests(paths.output) == first["output"]
    assert not paths.building.exists()


def _warehouse_with(path, recorded: owner.Owner | None):
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE raw.events AS SELECT 1 AS n")
    if recorded:
        con.execute("BEGIN")
        owner.claim(con, path)
        con.execute("COMMIT")
    return con


def test_the_load_itself_refuses_another_districts_warehouse(tmp_path, monkeypatch):
    """The load writes the record in its transaction and refuses there too (the archive step's
    early check aside): nothing of the other district's month is written."""
    path = tmp_path / "gridpulse.duckdb"
    con = _warehouse_with(path, owner.running())
    monkeypatch.setenv("GRIDPULSE_CONFIG", _settings_of_another_district(tmp_path))
    with pytest.raises(owner.WarehouseOfAnotherDistrict, match=f"属于 渝水区（360502），本次运行的配置是 {OTHER['name']}（{OTHER['code']}）"):
        owner.claim(con, path)
    con.close()
    with pytest.raises(owner.WarehouseOfAnotherDistrict, match="give each district its own data folder"):
        owner.check(path)


def test_a_warehouse_without_the_record_is_adopted_by_the_district_that_runs(tmp_path, monkeypatch):
    path = tmp_path / "gridpulse.duckdb"
    con = _warehouse_with(path, None)
    assert owner.recorded(con) is None
    con.close()
    monkeypatch.setenv("GRIDPULSE_CONFIG", _settings_of_another_district(tmp_path))
    owner.check(path)  # no record: nothing to refuse
    con = duckdb.connect(str(path))
    assert owner.claim(con, path) == owner.Owner(OTHER["code"], OTHER["name"])
    assert owner.recorded(con) == owner.Owner(OTHER["code"], OTHER["name"])
    assert con.execute("SELECT n FROM raw.events").fetchall() == [(1,)]  # what it held stays
    con.close()
    monkeypatch.delenv("GRIDPULSE_CONFIG")
    with pytest.raises(owner.WarehouseOfAnotherDistrict, match=f"属于 {OTHER['name']}（{OTHER['code']}）"):
        owner.check(path)


def test_a_deployments_district_records_its_deployment(tmp_path, monkeypatch):
    deployment = tmp_path / "city.yml"
    deployment.write_text(yaml.safe_dump({
        "deployment": {"code": "9903", "name": "试验市", "data_dir": str(tmp_path / "data"), "output_dir": str(tmp_path / "out")},
        "districts": [{"code": OTHER["code"], "name": OTHER["name"],  # its own letterhead: none is lent by another's file
                       "district": {"level": "县", "issuer": "试验县平安办", "addressees": "各乡镇综治中心"}}]},
        allow_unicode=True), encoding="utf-8")
    with config.in_district(OTHER["code"], deployment):
        assert owner.running() == owner.Owner(OTHER["code"], OTHER["name"], "9903", "试验市")
        assert "试验县（990301），试验市（9903）部署" in owner.running().describe()
