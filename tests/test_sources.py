"""Pulling a month from the platform's HTTP export endpoint and from an SFTP drop, each a real
server on loopback: a transfer cut mid-file resumes and the month lands whole with its checksums;
a file whose bytes differ from the manifest is refused, naming it, and nothing lands."""
from __future__ import annotations

import json
import shutil

import pytest

from gridpulse import config, pipeline
from gridpulse.problems import ExportRejected
from gridpulse.sources.remote import SourceRefused

from conftest import MONTH, PERIOD
from servers import ExportEndpoint, SftpDropServer

TOKEN = "export-token-2022"


def _largest_file(month) -> str:
    return max((p for p in month.iterdir() if p.name != "manifest.json"), key=lambda p: p.stat().st_size).name


def _served_month(demo_month, root, folder: str):
    served = root / folder
    shutil.copytree(demo_month, served)
    return served


def _corrupt(served, name: str) -> None:
    data = bytearray((served / name).read_bytes())
    data[len(data) // 3] ^= 0xFF  # one byte flipped in the middle, the manifest unchanged
    (served / name).write_bytes(bytes(data))


def _assert_landed_whole(demo_month, workspace) -> None:
    landed = workspace["source"] / PERIOD
    assert sorted(p.name for p in landed.iterdir()) == sorted(p.name for p in demo_month.iterdir())
    assert all((landed / p.name).read_bytes() == p.read_bytes() for p in demo_month.iterdir())
    assert not (workspace["source"] / f".{PERIOD}.partial").exists()


def _assert_nothing_landed(workspace) -> None:
    assert not (workspace["source"] / PERIOD).exists()
    assert not (config.paths().archive / PERIOD).exists()


@pytest.fixture
def http_source(workspace, monkeypatch):
    monkeypatch.setenv("GRIDPULSE_SOURCE_KIND", "http")
    return workspace


def test_http_export_resumes_a_cut_transfer_and_lands_the_month_whole(http_source, demo_month, tmp_path, monkeypatch):
    served = _served_month(demo_month, tmp_path / "site", f"exports/{PERIOD}")
    big = _largest_file(served)
    with ExportEndpoint(tmp_path / "site", TOKEN, cut={big}) as endpoint:
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_EXPORT_HTTP", endpoint.connection_json(TOKEN))
        assert pipeline.export_ready(MONTH)
        archived = pipeline.archive(MONTH)

    _assert_landed_whole(demo_month, http_source)
    big_requests = [r for r in endpoint.requests if r["name"] == big]
    assert [r["range"] for r in big_requests] == [None, f"bytes={big_requests[0]['sent_before_cut']}-"]
    assert all(r["authorized"] for r in endpoint.requests)
    receipt = json.loads((config.paths().archive / PERIOD).joinpath(archived.split("/")[-1], "receipt.json").read_text())
    manifest = json.loads((demo_month / "manifest.json").read_text(encoding="utf-8"))
    assert {e["file"]: e["sha256"] for e in manifest["files"]} == {k: v for k, v in receipt["files"].items() if k != "manifest.json"}


def test_http_export_refuses_a_file_that_does_not_match_the_manifest(http_source, demo_month, tmp_path, monkeypatch):
    served = _served_month(demo_month, tmp_path / "site", f"exports/{PERIOD}")
    victim = sorted(p.name for p in served.iterdir() if p.suffix == ".csv")[0]
    _corrupt(served, victim)
    with ExportEndpoint(tmp_path / "site", TOKEN) as endpoint:
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_EXPORT_HTTP", endpoint.connection_json(TOKEN))
        with pytest.raises(ExportRejected) as refused:
            pipeline.archive(MONTH)
    assert f"{victim}：校验和与清单 manifest.json 不符" in str(refused.value)
    assert [r["range"] for r in endpoint.requests if r["name"] == victim] == [None, None]  # fetched afresh once more
    _assert_nothing_landed(http_source)


def test_http_export_needs_the_token_and_waits_for_the_manifest(http_source, demo_month, tmp_path, monkeypatch, caplog, capsys):
    (tmp_path / "site").mkdir()
    with ExportEndpoint(tmp_path / "site", TOKEN) as endpoint:
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_EXPORT_HTTP", endpoint.connection_json(TOKEN))
        with caplog.at_level("INFO", logger="gridpulse.pipeline"):
            assert not pipeline.export_ready(MONTH)  # 404: the platform has not exported the month yet
        # the sensor's log says which URL it asks and what is missing there (once the connection
        # was read, Airflow's logging prints it)
        assert (f"Waiting for {PERIOD} export: http://127.0.0.1:{endpoint.port}/exports/{PERIOD}/ (http): "
                "no manifest.json there yet") in caplog.text + capsys.readouterr().out
        with pytest.raises(FileNotFoundError, match="尚未到达"):
            pipeline.archive(MONTH)
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_EXPORT_HTTP", endpoint.connection_json("wrong-token"))
        with pytest.raises(SourceRefused, match="HTTP 401"):
            pipeline.export_ready(MONTH)
    _assert_nothing_landed(http_source)


@pytest.fixture
def sftp_source(workspace, monkeypatch):
    monkeypatch.setenv("GRIDPULSE_SOURCE_KIND", "sftp")
    return workspace


def test_sftp_drop_resumes_after_the_connection_is_cut_and_lands_the_month_whole(sftp_source, demo_month, tmp_path, monkeypatch):
    served = _served_month(demo_month, tmp_path / "drop", f"exports/{PERIOD}")
    big = _largest_file(served)
    with SftpDropServer(tmp_path / "drop", "platform", "drop-pass", cut={big}) as server:
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_EXPORT_SFTP", server.connection_json("drop-pass"))
        assert pipeline.export_ready(MONTH)
        pipeline.archive(MONTH)

    _assert_landed_whole(demo_month, sftp_source)
    reads = [(session, offset) for session, name, offset in server.reads if name == big]
    sessions = sorted({s for s, _ in reads})
    assert len(sessions) == 2  # cut once, reconnected once
    resumed_from = min(offset for s, offset in reads if s == sessions[1])
    assert resumed_from > 0  # the second session continued the file, it did not start over


def test_sftp_drop_refuses_a_corrupt_file_and_a_wrong_password(sftp_source, demo_month, tmp_path, monkeypatch):
    served = _served_month(demo_month, tmp_path / "drop", f"exports/{PERIOD}")
    victim = sorted(p.name for p in served.iterdir() if p.suffix == ".xlsx")[0]
    _corrupt(served, victim)
    with SftpDropServer(tmp_path / "drop", "platform", "drop-pass") as server:
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_EXPORT_SFTP", server.connection_json("drop-pass"))
        with pytest.raises(ExportRejected) as refused:
            pipeline.archive(MONTH)
        assert f"{victim}：校验和与清单 manifest.json 不符" in str(refused.value)
        _assert_nothing_landed(sftp_source)
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_EXPORT_SFTP", server.connection_json("wrong"))
        with pytest.raises(SourceRefused, match="拒绝登录"):
            pipeline.export_ready(MONTH)


def test_a_manifest_naming_a_path_outside_the_month_is_refused(http_source, demo_month, tmp_path, monkeypatch):
    served = _served_month(demo_month, tmp_path / "site", f"exports/{PERIOD}")
    manifest = json.loads((served / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][0]["file"] = "../../escaped.csv"
    (served / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    with ExportEndpoint(tmp_path / "site", TOKEN) as endpoint:
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_EXPORT_HTTP", endpoint.connection_json(TOKEN))
        with pytest.raises(ExportRejected, match=r"文件名「\.\./\.\./escaped\.csv」含有路径分隔符"):
            pipeline.archive(MONTH)
    assert [r["name"] for r in endpoint.requests] == ["manifest.json"]  # nothing else was fetched
    assert not list(http_source["source"].parent.rglob("escaped.csv"))
    _assert_nothing_landed(http_source)


def test_the_sensor_says_which_folder_it_waits_for_and_what_is_missing(workspace, demo_month, caplog):
    folder = workspace["source"] / PERIOD
    with caplog.at_level("INFO", logger="gridpulse.pipeline"):
        assert not pipeline.export_ready(MONTH)
        assert f"Waiting for {PERIOD} export: {folder}/ does not exist yet: put the month's export there, its manifest.json last" \
            in caplog.text
        folder.mkdir(parents=True)
        shutil.copy(demo_month / "事件.csv", folder)
        assert not pipeline.export_ready(MONTH)
        assert f"{folder}/ has 1 file(s) (事件.csv) but no manifest.json yet" in caplog.text
        shutil.copytree(demo_month, folder, dirs_exist_ok=True)
        assert pipeline.export_ready(MONTH)
    assert f"Found {PERIOD} export: {folder}/ is complete" in caplog.text
