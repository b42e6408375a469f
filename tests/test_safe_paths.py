"""Paths built only from checked parts (files/safe_paths.py): each writer of the month's folders
(archive, quarantine, staged month, follow-up lists, remote downloads) refuses a part that is not
a plain name and a path that resolves outside its root, and writes nothing outside it."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from gridpulse import followup
from gridpulse.files.safe_paths import UnsafePath, inside
from gridpulse.ingest import staged
from gridpulse.period import Period
from gridpulse.problems import ExportRejected, Problem
from gridpulse.quarantine import quarantine
from gridpulse.sources import remote
from gridpulse.sources.archive import archive_export

from conftest import PERIOD


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() else b"" for p in sorted(root.rglob("*"))}


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder outside every root, with a file in it: a writer must leave it as it was."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "kept.txt").write_text("kept", encoding="utf-8")
    return folder


def _tiny_export(folder: Path, export_id: str = "tiny-2022-11") -> Path:
    folder.mkdir(parents=True)
    data = b"a,b\r\n1,2\r\n"
    (folder / "t.csv").write_bytes(data)
    manifest = {"period": PERIOD, "export_id": export_id,
                "files": [{"file": "t.csv", "rows": 1, "sha256": hashlib.sha256(data).hexdigest()}]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.mark.parametrize("part", ["../x", "/etc", "a/b", "a\\b", "..", ".", "", "a\x00b", "a\nb", "x" * 300])
def test_a_part_that_is_not_a_plain_name_is_refused(tmp_path, part):
    with pytest.raises(UnsafePath):
        inside(tmp_path, part)


def test_a_link_planted_inside_the_root_is_not_followed(tmp_path, outside):
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "planted").symlink_to(outside)
    with pytest.raises(UnsafePath, match="之外"):
        inside(tmp_path / "root", "planted", "file.txt")
    assert inside(tmp_path / "root", "fine", "file.txt") == tmp_path / "root" / "fine" / "file.txt"


def test_archive_writes_nothing_through_a_planted_link(tmp_path, outside, workspace):
    incoming = _tiny_export(tmp_path / "incoming")
    archive_root = tmp_path / "archive"
    archive_root.mkdir()
    (archive_root / PERIOD).symlink_to(outside)  # the month's folder replaced by a link
    before = _tree(outside)
    with pytest.raises(UnsafePath):
        archive_export(incoming, archive_root, PERIOD, "manifest.json")
    assert _tree(outside) == before


def test_archive_refuses_an_export_id_that_leaves_it(tmp_path, workspace):
    incoming = _tiny_export(tmp_path / "incoming", export_id="../../escaped")
    with pytest.raises(ExportRejected, match="export_id"):
        archive_export(incoming, tmp_path / "data" / "archive", PERIOD, "manifest.json")
    assert not list(tmp_path.rglob("escaped*"))


def test_quarantine_writes_nothing_through_a_planted_link(tmp_path, outside, workspace):
    archived = archive_export(_tiny_export(tmp_path / "incoming"), tmp_path / "archive", PERIOD, "manifest.json")
    root = tmp_path / "quarantine"
    (root / PERIOD).mkdir(parents=True)
    (root / PERIOD / archived.name).symlink_to(outside)
    before = _tree(outside)
    with pytest.raises(UnsafePath):
        quarantine(archived, root, PERIOD, [Problem("t.csv", "坏")], "tiny-2022-11")
    assert _tree(outside) == before


def test_the_staged_month_is_never_written_through_a_planted_link(tmp_path, outside, workspace):
    archived = archive_export(_tiny_export(tmp_path / "incoming"), tmp_path / "archive", PERIOD, "manifest.json")
    (archived.parent / f"{archived.name}.validation").symlink_to(outside)
    before = _tree(outside)
    for writer in (staged.scratch_folder, staged.partial_path, staged.staged_path):
        with pytest.raises(UnsafePath):
            writer(archived)
    assert _tree(outside) == before


def test_followup_lists_refuse_a_township_code_that_is_a_path(tmp_path, outside, workspace, monkeypatch):
    townships = pd.DataFrame({"township_id": ["../../outside/evil"], "org_name": ["恶意乡"]})
    listed = pd.DataFrame({"township_id": []})
    monkeypatch.setattr(followup, "_read", lambda warehouse, period: (townships, listed))
    before = _tree(outside)
    with pytest.raises(UnsafePath):
        followup.build_followup_lists(Period.parse(PERIOD))
    assert _tree(outside) == before
    assert not list(tmp_path.rglob("evil*"))


class _Transport:
    """A remote source whose manifest lists a name that leaves the month's folder."""

    def __init__(self, name: str):
        self.downloads: list[str] = []
        self.raw = json.dumps({"period": PERIOD, "export_id": "x-2022-11", "files": [{"file": name}]}).encode()

    def manifest(self):
        return self.raw

    def download(self, name, dest):
        self.downloads.append(name)
        Path(dest).write_bytes(b"x")

    def close(self):
        pass


@pytest.mark.parametrize("name", ["../../escaped.csv", "/tmp/escaped.csv", "a\nb.csv"])
def test_remote_downloads_write_only_names_the_gate_accepted(tmp_path, workspace, name):
    transport = _Transport(name)
    with pytest.raises(ExportRejected, match="manifest.json"):
        remote.fetch_month(transport, PERIOD)
    assert transport.downloads == []
    assert not list(tmp_path.rglob("escaped*"))


def test_a_month_folder_that_is_a_link_is_not_read(tmp_path, workspace):
    real = _tiny_export(tmp_path / "elsewhere")
    (tmp_path / "landing").mkdir()
    (tmp_path / "landing" / PERIOD).symlink_to(real)
    with pytest.raises(ExportRejected, match="本月目录是符号链接"):
        archive_export(tmp_path / "landing" / PERIOD, tmp_path / "archive", PERIOD, "manifest.json")
    assert not (tmp_path / "archive").exists()
