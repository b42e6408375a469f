"""Nothing lost, nothing half-published: with November published, bad exports of December stop in
quarantine and leave the published warehouse and outputs byte-identical; a re-export of November is
archived beside the first, published only once it validates, and its raw rows name the archived
copy and the sha256 of the file they came from."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent / "broken"))

from gridpulse import config, pipeline  # noqa: E402
from gridpulse.period import Period
from gridpulse.problems import ExportRejected  # noqa: E402

from conftest import MONTH, PERIOD, copy_workspace, point_at  # noqa: E402
from corpus import formula_in_name, gbk_file_as_utf8_label, text_in_number, unknown_extra_file  # noqa: E402
from exports import drop_month, edit_csv, edit_manifest  # noqa: E402

NEXT = "2022-12"


def published_checksums() -> dict[str, str]:
    """sha256 of the published warehouse file and of every published output."""
    paths = config.paths()
    files = [paths.warehouse, *sorted(p for p in paths.output.rglob("*") if p.is_file())]
    return {str(p.relative_to(p.parents[1])): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def published_month(seed_months, tmp_path_factory):
    """November published (a copy of the session's published months, this module's own);
    December's export beside it, at a tenth of the demo's rows (the subject is what stays
    published, not December's figures)."""
    from gridpulse.demo import generate

    root = copy_workspace(seed_months, tmp_path_factory.mktemp("nothing-lost") / "published")
    patch = pytest.MonkeyPatch()
    point_at(patch, root)
    yield {"december": generate(NEXT, root / "exports", scale=0.1), "root": root}
    patch.undo()


@pytest.mark.parametrize("breaks", [text_in_number, formula_in_name, unknown_extra_file, gbk_file_as_utf8_label],
                         ids=lambda f: f.__name__)
def test_bad_next_month_leaves_the_published_month_byte_identical(published_month, breaks):
    before = published_checksums()
    incoming = config.paths().source / NEXT
    shutil.rmtree(incoming, ignore_errors=True)
    breaks(drop_month(published_month["december"], config.paths().source))
    with pytest.raises(ExportRejected) as rejected:
        pipeline.run_month(Period.parse(NEXT))
    assert published_checksums() == before
    assert not (config.paths().output / NEXT).exists() and not config.paths().building.exists()
    archived = Path(rejected.value.report_path).parent
    assert archived.parent == config.paths().quarantine / NEXT
    report = (archived / "validation_report.txt").read_text(encoding="utf-8")
    assert all(p.text() in report for p in rejected.value.problems)
    for name in (p.name for p in incoming.iterdir()):  # the export as received, beside its report
        assert (archived / name).read_bytes() == (incoming / name).read_bytes()


def test_a_reader_during_a_run_sees_only_whole_months_and_no_error(published_month, tmp_path):
    """An analyst queries the published warehouse from another process in a loop while the next
    month runs for real: never an error (no lock), and every look is the state before the run or
    the state after it, never a month in part."""
    from warehouse_reader import look

    paths = config.paths()
    shutil.rmtree(paths.source / NEXT, ignore_errors=True)
    drop_month(published_month["december"], paths.source)
    before = look(str(paths.warehouse))
    stop, looks = tmp_path / "stop", tmp_path / "looks.jsonl"
    with open(looks, "wb") as out:
        reader = subprocess.Popen([sys.executable, str(Path(__file__).parent / "warehouse_reader.py"), str(paths.warehouse), str(stop)],
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        time.sleep(1)
        run = subprocess.run([sys.executable, "-m", "gridpulse", "run", "--period", NEXT], capture_output=True, text=True)
        time.sleep(1)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    after = look(str(paths.warehouse))
    assert json.dumps(after, sort_keys=True) != json.dumps(before, sort_keys=True)
    assert all(NEXT in counts for counts in after.values()) and all(NEXT not in counts for counts in before.values())
    seen = [json.loads(line) for line in looks.read_text(encoding="utf-8").splitlines()]
    assert len(seen) > 20, "the reader barely ran"
    assert [s for s in seen if "error" in s] == []
    states = {json.dumps(s["state"], sort_keys=True) for s in seen}
    allowed = {json.dumps(before, sort_keys=True), json.dumps(after, sort_keys=True)}
    assert states <= allowed
    assert states == allowed, "the reader should have seen both the state before and after"


def _raw_lineage(table: str) -> set[tuple]:
    con = duckdb.connect(str(config.paths().warehouse), read_only=True)
    try:
        return set(con.execute(f"SELECT archive_id, source_sha256 FROM raw.{table} WHERE period = ?", [PERIOD]).fetchall())
    finally:
        con.close()


def _receipt(folder: Path) -> dict:
    return json.loads((folder / "receipt.json").read_text(encoding="utf-8"))


def test_a_reexport_is_archived_beside_the_first_and_published_only_once_valid(published_month, small_month):
    """November re-exported (the small month under November's export id: the subject is the
    archive and the rows' lineage, not the figures)."""
    paths = config.paths()
    archive = paths.archive / PERIOD
    first = next(p for p in sorted(archive.iterdir()) if not p.name.endswith(".validation"))
    first_receipt = _receipt(first)
    assert _raw_lineage("patrols") == {(first.name, first_receipt["files"]["巡查记录.csv"])}
    before = published_checksums()

    def reexport():
        shutil.rmtree(paths.source / PERIOD)
        month = drop_month(small_month, paths.source)
        edit_manifest(month, lambda manifest: manifest.update(export_id=first_receipt["export_id"]))
        return month

    # a re-export under the same export id that does not validate: kept, not published
    text_in_number(reexport())
    with pytest.raises(ExportRejected):
        pipeline.run_month(MONTH)
    assert published_checksums() == before
    second = first.with_name(first.name + ".2")
    assert _receipt(second)["export_id"] == first_receipt["export_id"]
    assert _receipt(first) == first_receipt  # the first copy is never touched
    for name, digest in first_receipt["files"].items():
        assert hashlib.sha256((first / name).read_bytes()).hexdigest() == digest

    # a corrected re-export: archived as a third copy, validated, then published
    month = reexport()
    edit_csv(month, "巡查记录.csv", lambda f: f.assign(**{"巡查里程（公里）": f["巡查里程（公里）"].where(f.index != 0, "3.5")}))
    pipeline.run_month(MONTH)
    third = first.with_name(first.name + ".3")
    assert sorted(p.name for p in archive.iterdir() if p.is_dir() and not p.name.endswith(".validation")) == \
        sorted([first.name, second.name, third.name])
    assert _raw_lineage("patrols") == {(third.name, _receipt(third)["files"]["巡查记录.csv"])}
    assert _raw_lineage("events") == {(third.name, _receipt(third)["files"]["事件.csv"])}
    assert published_checksums() != before

