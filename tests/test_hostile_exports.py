"""Hostile and broken exports at random: a seeded property test of the gate (sources/gate.py).

Each variant is the small month with one to three mutations drawn at random (names, links, FIFOs,
sizes, bytes, manifests, cells), run through `python -m gridpulse validate` in this process. For
every variant: the exit is 0 or 2, never a traceback; the canary files beside the export are never
read (their access times stay put; the file system is relatime, and a canary's access time is set
before its modification time, so any read moves it); nothing is written outside the data folders;
what is printed, logged and reported is bounded and carries no raw control character.

The seed is GRIDPULSE_FUZZ_SEED (default below; a failure prints the seed and mutations to replay);
variants run until GRIDPULSE_FUZZ_SECONDS (default 60) have passed, at least MIN_VARIANTS.
"""
from __future__ import annotations

import json
import logging
import os
import random
import shutil
import time
from pathlib import Path

import pytest

from gridpulse.__main__ import main

from conftest import PERIOD
from exports import edit_manifest, edit_text, rewrite

pytestmark = pytest.mark.month

SEED = int(os.environ.get("GRIDPULSE_FUZZ_SEED", "20221130"))
BUDGET = float(os.environ.get("GRIDPULSE_FUZZ_SECONDS", "60"))
MIN_VARIANTS = 3
MAX_PRINTED = 20_000           # characters on stderr and in the log of one variant
MAX_REPORT = 200_000           # bytes of one validation report
MAX_RSS = 3 << 30              # this process's peak resident memory in one variant, validation's DuckDB included
CANARY = "CANARY-9f1c2e"       # the canaries' content: it must never appear in anything written
RAW_CONTROLS = {chr(c) for c in range(0x20) if c != 0x0A} | {"\x7f", "\u2028", "\u2029", "\u202e"}
CSVS = ["事件.csv", "巡查记录.csv", "矛盾纠纷.csv", "管理员登录.csv", "特殊人群走访.csv"]


# --- mutations: each takes (month folder, rng, canary folder) ------------------------------------

def _entry(folder: Path, rng: random.Random, **change) -> None:
    def edit(manifest):
        rng.choice(manifest["files"]).update(change)
    edit_manifest(folder, edit)


def name_outside(folder, rng, canaries):
    _entry(folder, rng, file=rng.choice([str(canaries / "canary.csv"), "../secrets/canary.csv", "../../secrets/canary.csv",
                                         "/dev/zero", "/proc/self/environ", "..", "."]))


def name_with_controls(folder, rng, canaries):
    _entry(folder, rng, file=rng.choice(["事件\x00.csv", "事件.csv\n2022-11 导出 校验通过", "\u202egnp.csv", "a\rb.csv",
                                         "长" * rng.randint(200, 5000) + ".csv", ""]))


def link_listed(folder, rng, canaries):
    name = rng.choice(CSVS)
    (folder / name).unlink(missing_ok=True)
    (folder / name).symlink_to(canaries / "canary.csv")


def link_unlisted(folder, rng, canaries):
    link = folder / rng.choice(["extra.csv", "附加分2.csv", "说明.txt"])
    link.unlink(missing_ok=True)
    link.symlink_to(canaries / "canary.csv")


def link_manifest(folder, rng, canaries):
    (folder / "manifest.json").unlink()
    (folder / "manifest.json").symlink_to(canaries / "canary.json")


def fifo(folder, rng, canaries):
    name = rng.choice(CSVS + ["extra.fifo"])
    (folder / name).unlink(missing_ok=True)
    os.mkfifo(folder / name)


def subfolder(folder, rng, canaries):
    (folder / rng.choice(["sub", "事件.csv.d"])).mkdir(exist_ok=True)


def hostile_export_id(folder, rng, canaries):
    edit_manifest(folder, lambda m: m.update(export_id=rng.choice(
        ["../../escaped", "/tmp/escaped", "a/b", "x\n伪造", "", "..", "x" * 5000, 123, None, ["a"]])))


def unlisted_name_with_a_line_break(folder, rng, canaries):
    (folder / "说明\n2022-11 导出 校验通过.txt").write_text("x", encoding="utf-8")


def undecodable_name(folder, rng, canaries):
    """A file whose name is not UTF-8 (the OS hands it over with lone surrogates)."""
    with open(os.path.join(os.fsencode(folder), b"\xff\xfe" + rng.choice([b".csv", b"\n.txt"])), "wb") as handle:
        handle.write(b"a,b\n")


def _cell(folder: Path, rng: random.Random, value: str) -> None:
    name = rng.choice(CSVS)

    def edit(text):
        lines = text.split("\n")
        row = rng.randrange(1, max(2, len(lines) - 1))
        fields = lines[row].split(",")
        fields[rng.randrange(len(fields))] = value
        lines[row] = ",".join(fields)
        return "\n".join(lines)
    edit_text(folder, name, edit)


def huge_cell(folder, rng, canaries):
    _cell(folder, rng, "长" * rng.choice([10_001, 50_000, 900_000]))


def control_cell(folder, rng, canaries):
    _cell(folder, rng, "值" + rng.choice(["\x00", "\x1b[31m", "\x07", "\x7f", "\x0b"]) + "值")


def wide_header(folder, rng, canaries):
    name = rng.choice(CSVS)
    edit_text(folder, name, lambda text: text.replace("\n", "," + ",".join(f"c{i}" for i in range(rng.randint(201, 5000))) + "\n", 1))


def mixed_line_ends(folder, rng, canaries):
    def edit(text):
        lines = text.split("\r\n") if "\r\n" in text else text.split("\n")
        cut = rng.randrange(1, len(lines))
        return "\r\n".join(lines[:cut]) + "\r\n" + "\n".join(lines[cut:])
    edit_text(folder, rng.choice(CSVS), edit)


def flipped_bytes(folder, rng, canaries):
    name = rng.choice(sorted(p.name for p in folder.iterdir() if p.name != "manifest.json"))
    data = bytearray((folder / name).read_bytes())
    for _ in range(rng.randint(1, 20)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    if rng.random() < 0.5:
        rewrite(folder, name, bytes(data))  # the manifest agrees: the reader meets the bytes
    else:
        (folder / name).write_bytes(bytes(data))


def truncated(folder, rng, canaries):
    name = rng.choice(sorted(p.name for p in folder.iterdir() if p.name != "manifest.json"))
    data = (folder / name).read_bytes()
    rewrite(folder, name, data[: rng.randrange(len(data) + 1)])


def file_removed_or_unlisted(folder, rng, canaries):
    if rng.random() < 0.5:
        (folder / rng.choice(CSVS)).unlink(missing_ok=True)
    else:
        name = rng.choice(CSVS)
        edit_manifest(folder, lambda m: m.update(files=[e for e in m["files"] if e["file"] != name]))


def impossible_times(folder, rng, canaries):
    _cell(folder, rng, rng.choice(["1970-01-01 08:00:00", "1900-01-01 00:00:00", "2022-11-31 25:61:00", "9999-12-31 23:59:59"]))


def garbage_manifest(folder, rng, canaries):
    path = folder / "manifest.json"
    path.write_bytes(rng.choice([b"", b"[]", b"null", b"\xff\xfe\x00", b"[" * 100_000, b'{"period": "2022-11"}',
                                 b" " * (2 << 20), json.dumps({"period": PERIOD, "export_id": "x", "files": "abc"}).encode()]))


def bad_manifest_fields(folder, rng, canaries):
    choice = rng.randrange(4)
    if choice == 0:
        _entry(folder, rng, rows=rng.choice(["abc", -1, 1.5, 10**30, None, True]))
    elif choice == 1:
        _entry(folder, rng, sha256=rng.choice([123, "zz", ["a"], ""]))
    elif choice == 2:
        edit_manifest(folder, lambda m: m.update(exported_at=rng.choice(["yesterday", 5, "2022-13-45T99:00"])))
    else:
        edit_manifest(folder, lambda m: m["files"].append(dict(m["files"][0])))


# In the order they are applied: bytes and cells first, then the manifest's fields, then what
# replaces files (links, FIFOs), then what replaces the manifest itself.
MUTATIONS = [huge_cell, control_cell, wide_header, mixed_line_ends, impossible_times, flipped_bytes, truncated,
             name_outside, name_with_controls, hostile_export_id, bad_manifest_fields, file_removed_or_unlisted,
             link_listed, link_unlisted, fifo, subfolder, unlisted_name_with_a_line_break, undecodable_name, link_manifest,
             garbage_manifest]


# --- what must hold for every variant ------------------------------------------------------------

def _canaries(root: Path) -> Path:
    """Files beside the export that no variant may read: their access time is set a day before
    their modification time, so a read moves it (relatime)."""
    folder = root / "secrets"
    folder.mkdir()
    for name in ("canary.csv", "canary.json"):
        path = folder / name
        path.write_text(f"{CANARY},{CANARY}\n", encoding="utf-8")
        now = time.time()
        os.utime(path, (now - 86_400 * 2, now - 86_400))
    return folder


def _atimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_atime_ns for p in folder.iterdir()}


def _outside_data(root: Path, data: Path) -> dict[str, tuple]:
    """Every path under root except the data folder: files and links with their size and
    modification time, folders by name (a folder's time moves when the data folder appears)."""
    seen = {}
    for folder, folders, files in os.walk(root):
        folders[:] = [f for f in folders if Path(folder, f) != data]
        seen.update({os.path.join(folder, name): () for name in folders})
        for name in files:
            info = os.lstat(os.path.join(folder, name))
            seen[os.path.join(folder, name)] = (info.st_size, info.st_mtime_ns)
    return seen


def _reset_peak_memory() -> None:
    """Start this process's peak resident memory (VmHWM) afresh, so a variant's peak is its own
    and not an earlier test's in the same worker (Linux: 5 into /proc/self/clear_refs)."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def _peak_memory() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))


def _check_text(text: str, what: str, limit: int) -> None:
    assert len(text) <= limit, f"{what}: {len(text)} characters"
    raw = RAW_CONTROLS & set(text)
    assert not raw, f"{what} holds raw control characters {sorted(map(hex, map(ord, raw)))}"
    assert CANARY not in text, f"{what} holds a canary's content"


def _check_reports(data: Path) -> None:
    for report in data.rglob("validation_report.txt"):
        assert report.stat().st_size <= MAX_REPORT, report
        text = report.read_text(encoding="utf-8")
        _check_text(text.replace("\n", " "), str(report), MAX_REPORT)
        body = json.loads((report.parent / "validation_report.json").read_text(encoding="utf-8"))
        listed = len(body["problems"]) + (1 + len(body["repairs"]) if body["repairs"] else 0)
        assert len(text.splitlines()) == 1 + listed, f"{report}: a line was forged"
    for path in data.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.suffix in (".txt", ".json"):
            assert CANARY.encode() not in path.read_bytes(), path


def _variant(root: Path, small_month: Path, rng: random.Random, monkeypatch) -> list[str]:
    canaries = _canaries(root)
    month = root / "landing" / PERIOD
    shutil.copytree(small_month, month)
    chosen = sorted(rng.sample(MUTATIONS, rng.randint(1, 3)), key=MUTATIONS.index)
    for mutate in chosen:
        mutate(month, rng, canaries)
    for key, folder in (("SOURCE", "landing"), ("DATA", "data"), ("OUTPUT", "output")):
        monkeypatch.setenv(f"GRIDPULSE_{key}_DIR", str(root / folder))
    return [m.__name__ for m in chosen]


def test_the_canaries_can_tell_a_read(tmp_path):
    """The check can fail: reading a canary moves its access time."""
    folder = _canaries(tmp_path)
    before = _atimes(folder)
    (folder / "canary.csv").read_bytes()
    assert _atimes(folder)["canary.csv"] != before["canary.csv"]


def test_hostile_variants_never_escape_the_month(small_month, tmp_path, monkeypatch, capsys, caplog):
    rng = random.Random(SEED)
    started, ran = time.monotonic(), 0
    caplog.set_level(logging.INFO)
    while ran < MIN_VARIANTS or time.monotonic() - started < BUDGET:
        root = tmp_path / f"v{ran}"
        root.mkdir()
        mutations = _variant(root, small_month, rng, monkeypatch)
        replay = f"GRIDPULSE_FUZZ_SEED={SEED}, variant {ran}: {mutations}"
        canaries, before = root / "secrets", _outside_data(tmp_path, root / "data")
        atimes = _atimes(canaries)
        caplog.clear()
        _reset_peak_memory()
        try:
            code = main(["validate", "--period", PERIOD])
        except Exception as exc:  # a traceback: the property fails
            pytest.fail(f"{replay}: {type(exc).__name__}: {str(exc)[:500]}")
        printed = capsys.readouterr()
        assert code in (0, 2), f"{replay}: exit {code}\n{printed.err[-2000:]}"
        assert _atimes(canaries) == atimes, f"{replay}: a canary was read"
        assert _outside_data(tmp_path, root / "data") == before, f"{replay}: something was written outside the data folder"
        _check_text((printed.out + printed.err).replace("\n", " "), f"{replay}: printed", MAX_PRINTED)
        _check_text(" ".join(r.getMessage() for r in caplog.records).replace("\n", " "), f"{replay}: logged", MAX_PRINTED)
        _check_reports(root / "data")
        assert _peak_memory() < MAX_RSS, f"{replay}: peak memory {_peak_memory() >> 20} MiB"
        shutil.rmtree(root / "data", ignore_errors=True)
        ran += 1
    print(f"{ran} hostile variants, seed {SEED}")
