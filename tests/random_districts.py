"""Districts the project has never seen, drawn at random: a deployment of generated districts of
random levels (区, 县, 县级市, 旗), on either platform, each scored under its own copy of a shipped
scheme (a new scheme id, new weights and title), with a letterhead and sender of random words, some
with their own closing text. Each month runs end to end through the CLI; `check_district` then
asserts that everything the district received is its own.

The months are small (scale 0.03: a few workers per township) so that twenty districts fit in
`make test`; the draws follow the seed, so a failure can be run again."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from gridpulse import config
from gridpulse.profile import level_words_table

from conftest import PERIOD, PROJECT_DIR

sys.path.insert(0, str(PROJECT_DIR / "benchmarks"))
from pandas_reference import township_indicators  # noqa: E402

SCALE = 0.03
BASE_SCHEME = "yushui_township_2022"   # the shipped township scheme the copies start from
WORDS = "晨曦远航同心聚力安澜和畅清风明月砺行致远守望笃行启明泽润"
LEVEL_BY_SUFFIX = {"区": ["区"], "县": ["县", "旗"], "市": ["县级市"]}


@dataclass
class Drawn:
    deployment: Path
    schemes_dir: Path
    root: Path
    entries: list[dict]            # the deployment's district entries as written
    schemes: dict[str, dict]       # code -> the district's own scheme
    states: dict[str, str] | None = None  # code -> what the run said of it


def _words(rng: np.random.Generator, n: int) -> str:
    return "".join(WORDS[i] for i in rng.integers(0, len(WORDS), n))


def _scheme_copy(rng: np.random.Generator, code: str, name: str) -> dict:
    """The base scheme under a new id with new weights and title: nothing of it is the demo's."""
    scheme = yaml.safe_load((config.SCHEMES_DIR / f"{BASE_SCHEME}.yml").read_text(encoding="utf-8"))
    scheme["scheme_id"] = f"s{code}_{int(rng.integers(100, 999))}"
    scheme["title_zh"] = f"{name}{_words(rng, 2)}考核"
    for item in scheme["items"]:
        item["weight"] = int(rng.integers(3, 16))
    return scheme


def _letterhead(rng: np.random.Generator, code: str, name: str, level: str, own_text: bool, scheme_id: str) -> dict:
    units = level_words_table()[level]["units"]
    district = {"level": level, "issuer": f"{name}{_words(rng, 4)}办公室", "printed_by": f"{name}{_words(rng, 3)}室",
                "copy_to": f"{_words(rng, 2)}委，{_words(rng, 2)}办", "addressees": f"{units}{_words(rng, 3)}中心",
                "sender": {"name": f"{name}{_words(rng, 2)}中心", "email": f"office{code}@d{code}.example.org"}}
    if own_text:
        district["texts"] = {scheme_id: {"heading": "工作要求", "paragraphs": [f"{units}要{_words(rng, 8)}。"]}}
    return district


def draw(root: Path, seed: int, districts: int) -> Drawn:
    """The deployment file, the schemes folder and every district's month below `root`."""
    from gridpulse.demo.deployment import generate_all
    from gridpulse.demo.province import province_plan

    rng = np.random.default_rng(seed)
    data, specs = province_plan(districts, root, seed=seed, scale=SCALE)
    schemes_dir = root / "schemes"
    schemes_dir.mkdir()
    for shipped in config.SCHEMES_DIR.glob("*.yml"):
        (schemes_dir / shipped.name).write_bytes(shipped.read_bytes())
    schemes = {}
    for n, entry in enumerate(data["districts"]):
        code, name = entry["code"], entry["name"]
        level = str(rng.choice(LEVEL_BY_SUFFIX[name[-1]]))
        scheme = _scheme_copy(rng, code, name)
        (schemes_dir / f"{scheme['scheme_id']}.yml").write_text(yaml.safe_dump(scheme, allow_unicode=True, sort_keys=False),
                                                                 encoding="utf-8")
        schemes[code] = scheme
        entry["schemes"] = [scheme["scheme_id"]]
        entry["district"] = _letterhead(rng, code, name, level, own_text=n % 3 == 0, scheme_id=scheme["scheme_id"])
        if n % 2:  # half print their own data source; the others the platform's name
            entry["district"]["data_source"] = f"{_words(rng, 4)}平台"
    path = root / "deployment.yml"
    # the months are drawn first, with the shipped scheme (this process reads schemes from the
    # project); the runs then read the deployment with each district's own (GRIDPULSE_SCHEMES_DIR)
    own = {e["code"]: e["schemes"] for e in data["districts"]}
    for entry in data["districts"]:
        entry["schemes"] = [BASE_SCHEME]
    _write(path, data)
    generate_all(path, specs, PERIOD, seed, 1.0, processes=1)
    for entry in data["districts"]:
        entry["schemes"] = own[entry["code"]]
    _write(path, data)
    return Drawn(path, schemes_dir, root, data["districts"], schemes)


def _write(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    config._deployment_of.cache_clear()


def environment(drawn: Drawn) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDPULSE_")}
    return env | {"GRIDPULSE_DEPLOYMENT": str(drawn.deployment), "GRIDPULSE_SCHEMES_DIR": str(drawn.schemes_dir),
                  "GRIDPULSE_DELIVERY": "off", "PYTHONPATH": str(PROJECT_DIR / "include")}


def gridpulse(drawn: Drawn, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gridpulse", *args], cwd=PROJECT_DIR, env=environment(drawn) | env,
                          capture_output=True, text=True, timeout=1800)


def output_of(drawn: Drawn, code: str) -> Path:
    """A district's published month (province_plan puts data and outputs below the root; this
    process reads no deployment, whose schemes live in the drawn folder)."""
    return drawn.root / "output" / code / PERIOD


def dashboard_text(warehouse: Path, scheme_id: str) -> str:
    """The trends page an analyst opens on the district's warehouse, as text."""
    import duckdb

    from gridpulse.dashboard import pages

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return re.sub(r"<[^>]+>", " ", pages.trends(con, scheme_id))


def docx_text(path: Path) -> str:
    from docx import Document

    document = Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def html_text(path: Path) -> str:
    return re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))


def _round_half_up(value: float, decimals: int) -> float:
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def item_score(item: dict, value: float | None) -> float:
    """An item's points as the scheme file's rule says, from the indicator's value."""
    weight = float(item["weight"])
    if value is None or pd.isna(value):
        points = weight if item.get("if_undefined", "zero") == "full" else 0.0
    elif item["rule"] == "proportional":
        points = weight * min(value / float(item["standard"]), 1.0)
    elif item["rule"] == "linear_band":
        lo, hi = float(item["band"]["lo"]), float(item["band"]["hi"])
        points = weight if value >= hi else 0.0 if value < lo else weight * (value - lo) / (hi - lo)
    else:
        raise AssertionError(f"the random schemes use proportional and linear_band rules, not {item['rule']}")
    return _round_half_up(points, int(item["decimals"]))


def recomputed_totals(landing: Path, scheme: dict, platform: str) -> dict[str, float]:
    """Each township's total under the district's scheme, from the raw export by pandas alone."""
    indicators = township_indicators(landing, PERIOD, config.platform_mapping(platform))
    values = {(r.township_id, r.indicator_id): r.value for r in indicators.itertuples()}
    townships = sorted(indicators.township_id.unique())
    return {t: round(sum(item_score(i, values.get((t, i["indicator_id"]))) for i in scheme["items"]), 6) for t in townships}


def others_strings(drawn: Drawn, code: str) -> list[str]:
    """What belongs to the other districts alone: their names, letterhead words, senders."""
    found = []
    for entry in drawn.entries:
        if entry["code"] == code:
            continue
        d = entry["district"]
        found += [entry["name"], d["issuer"], d["printed_by"], d["sender"]["name"], d["sender"]["email"],
                  drawn.schemes[entry["code"]]["title_zh"], drawn.schemes[entry["code"]]["scheme_id"]]
    return found


def check_district(drawn: Drawn, entry: dict) -> None:
    """Everything the district's month produced is its own: level words, letterhead, data source,
    scheme, closing text; no other district's words; totals as its scheme file computes them."""
    code, name, district = entry["code"], entry["name"], entry["district"]
    out = output_of(drawn, code)
    scheme = drawn.schemes[code]
    words = level_words_table()[district["level"]]
    html, docx = html_text(out / "bulletin.html"), docx_text(out / "bulletin.docx")
    ranking = pd.read_csv(out / "ranking.csv", encoding="utf-8-sig", dtype=str)
    ranking = ranking.rename(columns={"考核方案": "scheme", "机构编码": "org_id", "总分": "total_score"})
    for text in (html, docx):
        assert words["whole"] in text, f"{name}: its level word {words['whole']} is missing"
        for other in {w["whole"] for w in level_words_table().values()} - {words["whole"]}:
            assert other not in text.replace(words["whole"], ""), f"{name} ({district['level']}) prints {other}"
        for own in (district["issuer"], district["printed_by"], district["addressees"], district["copy_to"], scheme["title_zh"]):
            assert own in text, f"{name}: {own} missing"
        kinds = list(config.platform_mapping(entry["platform"])["files"]["special_population"]["values"]["person_type"])
        assert "、".join(kinds) + "等特殊人群" in text, f"{name}: not its platform's words for special population"
        others = {k for p in ("jiangxi_shzl", "zhejiang_sipingtai") for k in config.platform_mapping(p)["files"]
                  ["special_population"]["values"]["person_type"]} - set(kinds)
        # the scheme's own rule texts (the appendix) are the scheme's words, whichever platform
        own_words = text
        for item in scheme["items"]:
            own_words = own_words.replace(item.get("rule_text_zh") or "\0", "")
        assert not [k for k in others if k in own_words], f"{name} prints another platform's words"
        source = district.get("data_source") or config.platform_mapping(entry["platform"])["label_zh"]
        assert f"数据来源于{source}" in text
        if district.get("texts"):
            assert district["texts"][scheme["scheme_id"]]["paragraphs"][0] in text
        else:
            assert "一要高度重视。" + words["units"] + "要" in text
        leaked = [s for s in others_strings(drawn, code) if s in text]
        assert not leaked, f"{name}'s bulletin prints another district's words: {leaked}"
    page = dashboard_text(drawn.root / "data" / code / "warehouse" / "gridpulse.duckdb", scheme["scheme_id"])
    assert name in page and not [w["whole"] for w in level_words_table().values() if w["whole"] in page.replace(words["whole"], "")]
    csv_text = (out / "ranking.csv").read_text(encoding="utf-8-sig")
    assert not [s for s in others_strings(drawn, code) if s in csv_text]
    assert len(set(ranking.scheme)) == 1 and scheme["title_zh"] in ranking.scheme.iloc[0]
    landing = drawn.root / "data" / code / "landing" / PERIOD
    expected = recomputed_totals(landing, scheme, entry["platform"])
    printed = {row.org_id: float(row.total_score) for row in ranking.itertuples()}
    assert printed == expected, f"{name}: totals differ from what its scheme file gives"
