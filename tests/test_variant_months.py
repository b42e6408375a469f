"""Property-style: random valid months, each written again in a random mix of the variants
validation accepts (encodings with and without a byte-order mark, other certain date spellings,
headers in other bracket widths, a notes sheet before a workbook's data), load to the same `raw`
rows as their clean twin. The months come from the demo generator with random seeds; the
variants are drawn from a seeded random generator, so a failure names the seed to replay."""
from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pandas as pd
import pytest
from test_accepted_variants import _raw_rows

from gridpulse import config
from gridpulse.demo import generate

from conftest import PERIOD
from exports import edit_book, read_text, rewrite

pytestmark = pytest.mark.month

SEEDS = [11, 23, 37]
SCALE = 0.05  # a small district: each month validates and loads in a few seconds
ENCODINGS = ["utf-8", "utf-8-sig", "gbk"]


def _respelled(stamp: str, style: int) -> str:
    """One of the accepted spellings of '2022-11-03 09:15:00' (or of a date)."""
    day, _, time = stamp.partition(" ")
    year, month, dom = day.split("-")
    if style == 0:
        day = f"{year}/{month}/{dom}"
    elif style == 1:
        day = f"{year}年{int(month)}月{int(dom)}日"
    else:
        day = f"{year}.{month}.{dom}"
    return f"{day} {time}".strip()


def _vary_csv(folder: Path, file_name: str, rng: random.Random, spec: dict) -> None:
    text, _ = read_text(folder, file_name)
    frame = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
    dated = [h for h, c in spec["columns"].items() if c in _dated_columns()]
    for header in dated:
        rows = [i for i in rng.sample(range(len(frame)), min(len(frame), 20)) if frame.loc[i, header]]
        frame.loc[rows, header] = [_respelled(frame.loc[i, header], rng.randrange(3)) for i in rows]
    if rng.random() < 0.5 and "（" in "".join(frame.columns):
        frame = frame.rename(columns=lambda h: h.replace("（", "(").replace("）", ")"))
    encoding = rng.choice(ENCODINGS)
    rewrite(folder, file_name, frame.to_csv(index=False, lineterminator=rng.choice(["\n", "\r\n"])).encode(encoding), len(frame))


def _dated_columns() -> set[str]:
    from gridpulse.contract import tables

    return {c.name for t in tables().values() for c in t.columns.values() if c.type in ("date", "timestamp")}


def _variant(clean: Path, target: Path, seed: int) -> Path:
    month = Path(shutil.copytree(clean, target / clean.name))
    rng = random.Random(seed)
    for spec in config.platform_mapping()["files"].values():
        if spec["file"].endswith(".csv"):
            _vary_csv(month, spec["file"], rng, spec)
        elif rng.random() < 0.5:
            edit_book(month, spec["file"], lambda book: book.create_sheet("说明", 0).append(["本表由平台导出"]))
    return month


@pytest.mark.parametrize("seed", SEEDS)
def test_a_random_month_in_random_accepted_variants_loads_like_its_clean_twin(seed, tmp_path, monkeypatch):
    clean = generate(PERIOD, tmp_path / "clean", seed=seed, scale=SCALE)
    expected = _raw_rows(monkeypatch, tmp_path / "clean-run", clean)
    variant = _variant(clean, tmp_path / "variant", seed)
    found = _raw_rows(monkeypatch, tmp_path / "variant-run", variant)
    for name, (columns, rows) in expected.items():
        assert found[name] == (columns, rows), f"seed {seed}: raw.{name} differs from the clean twin"
    # the variants were there to be repaired: the report says what was read another way
    report = json.loads(next((tmp_path / "variant-run").rglob("validation_report.json")).read_text(encoding="utf-8"))
    assert report["passed"] and any(r["check"] == "date_respelled" for r in report["repairs"])
