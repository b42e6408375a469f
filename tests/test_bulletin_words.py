"""Every word of the bulletin is checked like its figures: unit names against dim_org_unit, ranks
against rpt_ranking_monthly, "N个单位" lists against their names, ties against the mart. Each is
broken here on purpose, and publish must refuse with nothing published. The demo month's outputs
print every township by its full name (一.9 read from the PDF and the DOCX) and equal printed
totals share a rank in the workbook and the bulletin."""
from __future__ import annotations

import hashlib

import duckdb
import pypdfium2
import pytest
from docx import Document
from openpyxl import load_workbook

from gridpulse import config, pipeline
from gridpulse.bulletin import findings
from gridpulse.bulletin.figures import Register
from gridpulse.bulletin.month import Month
from gridpulse.bulletin.reconcile import ReconciliationError
from gridpulse.profile import level_words_table
from gridpulse.publish import outputs
from gridpulse.warehouse.building import start_build

from conftest import MONTH, PERIOD, copy_workspace, point_at


@pytest.fixture(scope="module")
def published(seed_months, tmp_path_factory):
    """A copy of the session's published months, for this module to publish again and tamper with."""
    root = copy_workspace(seed_months, tmp_path_factory.mktemp("words") / "published")
    patch = pytest.MonkeyPatch()
    point_at(patch, root)
    yield config.paths().output / PERIOD
    patch.undo()


def _fingerprint() -> dict:
    paths = config.paths()
    files = [paths.warehouse, *sorted((paths.output / PERIOD).iterdir())]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _quality_paragraph(text: str) -> str:
    return next(line for line in text.splitlines() if "被市里评为最优" in line)


def _city_best(published) -> dict[str, int]:
    """The townships rated best by the city, from the mart the paragraph prints."""
    con = duckdb.connect(str(config.paths().warehouse), read_only=True)
    try:
        return dict(con.execute("SELECT org_name, quality_best_events FROM marts.rpt_township_activity_monthly "
                                "WHERE period = ? AND quality_best_events > 0", [PERIOD]).fetchall())
    finally:
        con.close()


def test_quality_events_name_every_township_whole_in_pdf_and_docx(published):
    best = _city_best(published)
    assert len(best) >= 2
    docx_text = "\n".join(p.text for p in Document(str(published / "bulletin.docx")).paragraphs)
    pdf = pypdfium2.PdfDocument(str(published / "bulletin.pdf"))
    pdf_text = "".join(page.get_textpage().get_text_range() for page in pdf).replace("\r\n", "").replace("\n", "")
    for text in (_quality_paragraph(docx_text), pdf_text):
        for name, events in best.items():
            assert f"{name}{events}件" in text, (name, text[:200])


def _printed_ranks(rows: list[tuple[str, float, int]]) -> None:
    """Each printed rank is the competition rank of the printed total among the printed totals."""
    totals = [round(float(total), 2) for _, total, _ in rows]
    for name, total, rank in rows:
        assert int(rank) == 1 + sum(t > round(float(total), 2) for t in totals), name
    assert len({t for t in totals}) < len(totals), "the demo month has a tie of printed totals to show"


def test_equal_printed_totals_share_a_rank_in_the_workbook_and_the_bulletin(published):
    sheet = load_workbook(published / "ranking.xlsx").worksheets[0]
    header = [c.value for c in sheet[2]]  # row 1 is the title
    rows = [(r[header.index("单位")], r[header.index("总分")], r[header.index("排名")]) for r in sheet.iter_rows(min_row=3, values_only=True)]
    _printed_ranks(rows)
    scorecard = next(t for t in Document(str(published / "bulletin.docx")).tables if t.rows[0].cells[0].text == "排名")
    _printed_ranks([(r.cells[1].text, float(r.cells[-1].text), int(r.cells[0].text)) for r in scorecard.rows[1:]])


def _refused(fragment: str) -> str:
    before = _fingerprint()
    start_build()  # the month as built, about to be published again
    try:
        with pytest.raises(ReconciliationError) as failure:
            pipeline.publish(MONTH)
    finally:
        config.paths().building.unlink(missing_ok=True)
    assert fragment in str(failure.value)
    assert _fingerprint() == before  # nothing published
    return str(failure.value)


def test_a_truncated_name_stops_the_publish(published, monkeypatch):
    full = Month.org_name

    def first_character_only(month, org_id):  # the slip of 一.9: 罗10件 for 罗坊镇10件
        return full(month, org_id)[:1]

    monkeypatch.setattr(Month, "org_name", first_character_only)
    message = _refused("marts.dim_org_unit")
    assert "printed 罗, the marts now give 罗坊镇" in message


def test_a_wrong_rank_stops_the_publish(published, monkeypatch):
    read = outputs.read_month

    def second_of_the_tied_first_moved_down(warehouse, period):
        marts = read(warehouse, period)
        tied = marts.ranking.index[marts.ranking["rank"] == 1][-1]
        marts.ranking.loc[tied, "rank"] = 2
        return marts

    monkeypatch.setattr(outputs, "read_month", second_of_the_tied_first_moved_down)
    assert "rpt_ranking_monthly" in _refused("printed 2, the marts now give 1")


def test_a_list_that_loses_a_name_stops_the_publish(published, monkeypatch):
    listed = Register.unit_list

    def last_name_lost(self, names):
        text = listed(self, names)
        kept = self.unit_lists[-1]
        self.unit_lists[-1] = type(kept)(kept.names[:-1], kept.count)  # the count of all, the names of all but one
        return text

    monkeypatch.setattr(Register, "unit_list", last_name_lost)
    _refused("list of units: printed 8个 with 7 name(s)")


def _tie_at_the_lowest_score(item_id: str) -> tuple[str, str]:
    """Give a second township the lowest score of an item (its total kept adding up); return both names."""
    con = duckdb.connect(str(config.paths().warehouse))
    try:
        lowest, score = con.execute("SELECT org_id, score FROM marts.fct_score_monthly WHERE period = ? AND item_id = ? "
                                    "ORDER BY score, org_id LIMIT 1", [PERIOD, item_id]).fetchone()
        other, gap = con.execute("SELECT org_id, score - ? FROM marts.fct_score_monthly WHERE period = ? AND item_id = ? "
                                 "AND score = weight ORDER BY org_id LIMIT 1", [score, PERIOD, item_id]).fetchone()
        con.execute("UPDATE marts.fct_score_monthly SET score = ? WHERE period = ? AND item_id = ? AND org_id = ?", [score, PERIOD, item_id, other])
        con.execute("UPDATE marts.rpt_ranking_monthly SET total_score = total_score - ? WHERE period = ? AND org_id = ?", [gap, PERIOD, other])
        names = dict(con.execute("SELECT org_id, org_name FROM marts.dim_org_unit WHERE org_id IN (?, ?)", [lowest, other]).fetchall())
    finally:
        con.close()
    return names[lowest], names[other]


def test_a_tie_is_named_whole_and_a_missing_tied_unit_stops_the_publish(published, monkeypatch):
    item = "worker_reports"
    first, second = _tie_at_the_lowest_score(item)
    start_build()
    try:
        done = pipeline.publish(MONTH)  # with the tie in the marts, both units are named and publish passes
    finally:
        config.paths().building.unlink(missing_ok=True)
    text = "\n".join(p.text for p in Document(done["bulletin.docx"]).paragraphs)
    line = next(line for line in text.splitlines() if line.startswith("网格员上报"))
    assert first in line and second in line, line

    tied = findings._tied

    def one_tied_unit_left_out(month, rows, *args):
        return tied(month, rows[:-1] if len(rows) > 1 else rows, *args)

    monkeypatch.setattr(findings, "_tied", one_tied_unit_left_out)
    _refused("tie at marts.fct_score_monthly")


# --- findings at any size of district ----------------------------------------------------------

def _month(totals: list[float], weights=(60.0, 40.0)) -> Month:
    """A scheme of two items and one unit per total; each total split over the items."""
    import pandas as pd

    from gridpulse.warehouse.marts import MonthMarts

    ids = [f"u{n:04d}" for n in range(len(totals))]
    names = {org: f"单位{n}" for n, org in enumerate(ids)}
    printed = [round(t, 2) for t in totals]
    ranks = [1 + sum(other > t for other in printed) for t in printed]
    ranking = pd.DataFrame({"period": PERIOD, "scheme_id": "s", "org_id": ids, "org_name": [names[o] for o in ids],
                            "total_score": printed, "rank": ranks, "previous_rank": float("nan"), "rank_change": float("nan")})
    items = pd.DataFrame({"scheme_id": "s", "display_order": [1, 2], "item_id": ["a", "b"], "label_zh": ["甲项", "乙项"],
                          "weight": list(weights), "decimals": 2, "indicator_id": ["x", "y"], "scored_org_level": "township"})
    first = {org: min(weights[0], total) for org, total in zip(ids, printed)}  # the first item fills up first
    scores = pd.DataFrame([{"period": PERIOD, "scheme_id": "s", "org_id": org, "item_id": item, "weight": weight,
                            "score": first[org] if item == "a" else round(total - first[org], 2)}
                           for org, total in zip(ids, printed) for item, weight in zip(("a", "b"), weights)])
    frames = {"indicators": pd.DataFrame(columns=["scheme_id", "item_id", "org_level", "org_id"]),
              "headline": pd.DataFrame(), "activity": pd.DataFrame()}
    marts = MonthMarts(PERIOD, ranking, scores, items, {}, frames, pd.DataFrame({"org_id": ids, "org_name": [names[o] for o in ids]}))
    return Month(marts, "s", Register(PERIOD), level_words_table()["县"], {"special_population": ["特殊人群"]})


SETTINGS = {"lowest_units": 3, "lowest_units_within": 0.5, "tied_names_most": 20, "concentration_units": 3}


def _lowest(month: Month) -> str | None:
    return findings.lowest_units(month, SETTINGS["lowest_units"], SETTINGS["lowest_units_within"], "单位", SETTINGS["tied_names_most"])


def _named(month: Month) -> set[str]:
    return {dict(n.source.key)["org_id"] for tie in month.register.tie_checks for n in tie.names}


@pytest.mark.parametrize("totals", [[100, 100, 90], [100, 99, 98], [95.5, 95.5, 95.5], [100, 100, 100]])
def test_three_units_never_call_the_first_or_full_marks_lagging(totals):
    month = _month(totals)
    line = _lowest(month)
    ranking = month.ranking.set_index("org_id")
    named = _named(month)
    assert all(ranking.loc[org, "rank"] > 1 and ranking.loc[org, "total_score"] < 100 for org in named)
    # only the third of three can be called 靠后; with no such unit there is no such finding
    assert (line is None) == (not named)
    assert named <= set(ranking.index[ranking["rank"] == 3])


def test_seventeen_units_name_the_lowest_three_and_a_tie_with_the_third_whole():
    totals = [100, 100] + [99 - n for n in range(11)] + [80.5, 80.5, 80.5, 70]
    month = _month(totals)
    line = _lowest(month)
    ranking = month.ranking
    third_lowest = sorted(ranking.total_score)[2]
    assert _named(month) == set(ranking.org_id[ranking.total_score <= third_lowest])  # four units: the tie is whole
    for unit in ranking[ranking.total_score <= third_lowest].itertuples():
        assert f"{unit.org_name}" in line and f"第{unit.rank}名" in line


def test_1105_units_count_a_large_tie_instead_of_listing_it():
    totals = [100 - n * 0.05 for n in range(1075)] + [0.0] * 30
    month = _month(totals)
    line = _lowest(month)
    assert "30个单位（名单见考核排名表）（0.00分，第1076名）" in line
    tie = month.register.tie_checks[-1]
    assert tie.count == "30" and not tie.names
    lines = findings.below_standard(month, "单位", SETTINGS["tied_names_most"])
    assert any("30个单位（名单见考核排名表）（0.00分）" in text for text in lines)


def test_tied_lowest_item_scores_are_named_whole():
    month = _month([100, 100, 90, 85, 85])
    lines = findings.below_standard(month, "单位", SETTINGS["tied_names_most"])
    lowest = month.scores[month.scores.item_id == "b"].score.min()
    tied = month.scores[(month.scores.item_id == "b") & (month.scores.score == lowest)].org_id
    line = next(text for text in lines if text.startswith("乙项"))
    assert len(tied) == 2 and all(month.marts.org_units.set_index("org_id").loc[org, "org_name"] in line for org in tied)


def _closing(scheme_file: str) -> list[str]:
    import yaml

    scheme = yaml.safe_load((config.SCHEMES_DIR / scheme_file).read_text(encoding="utf-8"))
    return scheme["bulletin"]["closing"]["paragraphs"]


def test_each_scheme_closes_with_its_own_section_three(seed_months):
    """The grid bulletin closes with its scheme's 下一步计划 and none of the township scheme's
    工作要求 (平安志愿者, 各乡镇（街道）要…); the township bulletin with its own 工作要求."""
    from conftest import seed_workspace

    texts = {}
    for kind, period in (("grid", "2021-09"), ("township", PERIOD)):
        docx = seed_workspace(seed_months, kind) / "output" / period / "bulletin.docx"
        texts[kind] = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    township_text = [p.split("{units}")[-1] for p in _closing("yushui_township_2022.yml")]
    assert "三、下一步计划" in texts["grid"] and "三、工作要求" not in texts["grid"]
    assert not [p for p in township_text if p in texts["grid"]], "the grid bulletin prints the township scheme's text"
    assert "平安志愿者" not in texts["grid"] and "各乡镇（街道）要" not in texts["grid"]
    assert "加强对各村（社区）持有平安通手机网格员的业务培训" in texts["grid"]  # {units} of a 街道
    assert "三、工作要求" in texts["township"] and all(p in texts["township"] for p in township_text)
    assert "一要高度重视。各乡镇（办）要对照本月通报的问题" in texts["township"]  # the district's own word for its units
