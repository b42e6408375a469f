"""A city of three districts on two platforms in one deployment (include/config/deployments/xinyu.yml),
each running its month on its own: 渝水区 (Jiangxi's platform) publishes; 分宜县 sends an export of
another district, which validation refuses; 仙女湖区 (the 四平台 layout) has not sent its export when
the city first runs, and publishes when it arrives. The rollup names who is missing each time,
ranks the townships across the districts that share a scheme, and reconciles every figure; no
district's run changes another's published files; each district's recipients get their own files."""
from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from gridpulse import config, pipeline
from gridpulse.delivery import settings

from conftest import MONTH, PERIOD, PROJECT_DIR
from servers import SmtpServer

pytestmark = pytest.mark.month

CITY = PROJECT_DIR / "include" / "config" / "deployments" / "xinyu.yml"
YUSHUI, FENYI, XIANNVHU = "360502", "360521", "360591"
SCALE = 0.1  # a tenth of each demo district: two or three townships each, enough to rank across


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _text_of(docx: Path) -> str:
    from docx import Document

    document = Document(str(docx))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """The city's month run twice: first with 仙女湖区's export not yet arrived, then once it has."""
    from gridpulse.demo.deployment import generate_deployment

    root = tmp_path_factory.mktemp("city")
    patch = pytest.MonkeyPatch()
    for key, folder in (("SOURCE", "landing"), ("DATA", "data"), ("OUTPUT", "output")):
        patch.setenv(f"GRIDPULSE_{key}_DIR", str(root / folder))
    patch.setenv("GRIDPULSE_DEPLOYMENT", str(CITY))
    patch.delenv("GRIDPULSE_WAREHOUSE", raising=False)
    patch.delenv("GRIDPULSE_CONFIG", raising=False)
    try:
        generate_deployment(PERIOD, CITY, scale=SCALE)
        deployment = config.deployment()
        landing = {code: deployment.paths_of(code).source / PERIOD for code in (YUSHUI, FENYI, XIANNVHU)}
        # 分宜县's platform sent 渝水区's export by mistake; 仙女湖区's has not arrived yet
        shutil.rmtree(landing[FENYI])
        shutil.copytree(landing[YUSHUI], landing[FENYI])
        waiting = root / "xiannvhu-later"
        shutil.move(landing[XIANNVHU], waiting)
        first = pipeline.run_districts(MONTH)
        yushui_output = deployment.paths_of(YUSHUI).output
        snapshot = {"states": first, "rollup": _digests(deployment.rollup_output / PERIOD),
                    "rollup_text": _text_of(deployment.rollup_output / PERIOD / "rollup_bulletin.docx"),
                    "yushui": _digests(yushui_output), "yushui_warehouse": _digests(deployment.paths_of(YUSHUI).warehouse.parent)}
        shutil.move(waiting, landing[XIANNVHU])
        second = pipeline.run_districts(MONTH, codes=[XIANNVHU])
        yield {"deployment": deployment, "first": snapshot, "second": second, "root": root}
    finally:
        patch.undo()


def test_each_district_runs_in_its_own_folders_from_its_own_platform(city):
    deployment = city["deployment"]
    assert city["first"]["states"] == {YUSHUI: "published", FENYI: "refused", XIANNVHU: "not_arrived"}
    assert city["second"] == {XIANNVHU: "published"}
    platforms = {}
    for code in (YUSHUI, XIANNVHU):
        paths = deployment.paths_of(code)
        assert paths.output.parent == deployment.output_dir and paths.archive.parts[-2] == code
        [manifest] = (paths.archive / PERIOD).glob("*/manifest.json")
        platforms[code] = __import__("json").loads(manifest.read_text(encoding="utf-8"))["platform"]
        assert {"bulletin.docx", "bulletin.pdf", "bulletin.html", "ranking.xlsx"} <= {
            p.name for p in (paths.output / PERIOD).iterdir()}
    assert platforms == {YUSHUI: "jiangxi_shzl", XIANNVHU: "zhejiang_sipingtai"}
    # each bulletin carries its own district's letterhead, from the deployment's entry
    assert "仙女湖区平安建设领导小组办公室" in _text_of(deployment.paths_of(XIANNVHU).output / PERIOD / "bulletin.docx")
    assert "仙女湖区" not in _text_of(deployment.paths_of(YUSHUI).output / PERIOD / "bulletin.docx")


def test_a_refused_district_is_quarantined_alone_and_changes_no_one_elses_files(city):
    deployment = city["deployment"]
    fenyi = deployment.paths_of(FENYI)
    [report] = (fenyi.quarantine / PERIOD).glob("*/validation_report.txt")
    text = report.read_text(encoding="utf-8")
    assert "360502" in text and "分宜县" in text and "org_id" in text  # the export's district is another's
    assert not (fenyi.output / PERIOD).exists() and not fenyi.warehouse.exists()
    # 仙女湖区 published after 分宜县 was refused: 渝水区's files are byte for byte what they were
    yushui = deployment.paths_of(YUSHUI)
    assert _digests(yushui.output) == city["first"]["yushui"]
    assert _digests(yushui.warehouse.parent) == city["first"]["yushui_warehouse"]


def test_the_rollup_names_the_missing_districts(city):
    deployment = city["deployment"]
    first = city["first"]["rollup_text"]
    assert "全市3个县（区）中，渝水区1个已发布本月考核结果；分宜县（导出未通过校验，已退回）、仙女湖区（尚未收到导出）未纳入本次汇总" in first
    now = _text_of(deployment.rollup_output / PERIOD / "rollup_bulletin.docx")
    assert "渝水区、仙女湖区2个已发布本月考核结果；分宜县（导出未通过校验，已退回）未纳入本次汇总" in now
    book = load_workbook(deployment.rollup_output / PERIOD / "rollup.xlsx", read_only=True)
    states = [row[:3] for row in book[f"{PERIOD} 各县（区）报送情况"].iter_rows(min_row=3, values_only=True)]
    assert states == [(YUSHUI, "渝水区", "已发布"), (FENYI, "分宜县", "导出未通过校验，已退回"),
                      (XIANNVHU, "仙女湖区", "已发布")]
    assert city["first"]["rollup"] != _digests(deployment.rollup_output / PERIOD)  # republished as 仙女湖区 arrived


def _rows(warehouse: Path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_townships_are_ranked_across_districts_that_share_a_scheme(city):
    deployment = city["deployment"]
    scores = []
    for code in (YUSHUI, XIANNVHU):
        scores += [(code, *row) for row in _rows(deployment.paths_of(code).warehouse,
                   "SELECT org_id, scheme_id, total_score, rank FROM marts.rpt_ranking_monthly WHERE period = ?", [PERIOD])]
    assert {s[0] for s in scores} == {YUSHUI, XIANNVHU}
    expected = []
    for scheme in sorted({s[2] for s in scores}):
        units = [s for s in scores if s[2] == scheme]
        expected += [(scheme, org, code, 1 + sum(other[3] > total for other in units), rank)
                     for code, org, _, total, rank in units]
    ranked = _rows(deployment.rollup_warehouse, "SELECT scheme_id, org_id, district_id, rollup_rank, district_rank "
                   "FROM marts.rpt_rollup_ranking_monthly WHERE period = ?", [PERIOD])
    assert sorted(ranked) == sorted(expected)
    # the bulletin's appendix lists the whole ranking, best first, with each unit's district
    text = _text_of(deployment.rollup_output / PERIOD / "rollup_bulletin.docx")
    best = min(ranked, key=lambda r: r[3])
    name = _rows(deployment.rollup_warehouse, "SELECT org_name FROM marts.dim_org_unit WHERE org_id = ?", [best[1]])[0][0]
    assert re.search(rf"得分前\d+名为[^。]*{name}（", text)  # units tied at the top are named together


def test_the_rollup_totals_are_the_sum_of_the_districts_rows(city):
    deployment = city["deployment"]
    book = load_workbook(deployment.rollup_output / PERIOD / "rollup.xlsx", read_only=True)
    rows = list(book[f"{PERIOD} 各县（区）主要指标"].iter_rows(min_row=2, values_only=True))
    header, districts, total = rows[0], rows[1:-1], rows[-1]
    assert [r[0] for r in districts] == ["渝水区", "仙女湖区"] and total[0] == "合计"
    workers = header.index("网格员（名）")
    headline = {code: _rows(deployment.paths_of(code).warehouse, "SELECT grid_workers, workers_online FROM "
                            "marts.rpt_headline_monthly WHERE period = ? ORDER BY scheme_id LIMIT 1", [PERIOD])[0]
                for code in (YUSHUI, XIANNVHU)}
    assert [r[workers] for r in districts] == [headline[YUSHUI][0], headline[XIANNVHU][0]]
    assert total[workers] == sum(r[workers] for r in districts)
    online = sum(h[1] for h in headline.values())
    rate = total[header.index("出勤率")]
    assert rate == f"{100 * online / total[workers]:.2f}%"


def test_the_rollup_warehouse_tells_districts_apart(city):
    warehouse = city["deployment"].rollup_warehouse
    for mart in ("fct_score_monthly", "rpt_ranking_monthly", "rpt_headline_monthly"):
        found = {r[0] for r in _rows(warehouse, f"SELECT DISTINCT district_id FROM marts.{mart} WHERE period = ?", [PERIOD])}
        assert found == {YUSHUI, XIANNVHU}, mart


def _analyst_queries() -> list[str]:
    doc = (PROJECT_DIR / "docs" / "analysts.md").read_text(encoding="utf-8")
    section = doc.split("## Across districts", 1)[1]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def test_the_cross_district_questions_of_the_analysts_doc(city):
    deployment = city["deployment"]
    first, second = _analyst_queries()
    # 1: each district's headline side by side
    side_by_side = _rows(deployment.rollup_warehouse, first)
    assert {r[0] for r in side_by_side} == {"渝水区", "仙女湖区"}
    for name, code in (("渝水区", YUSHUI), ("仙女湖区", XIANNVHU)):
        own = _rows(deployment.paths_of(code).warehouse, "SELECT events_reported FROM marts.rpt_headline_monthly "
                    "WHERE period = '2022-11' ORDER BY scheme_id LIMIT 1")[0][0]
        assert [r[2] for r in side_by_side if r[0] == name] == [own]
    # 2: the best township of each district under the shared scheme, and its rank across the city
    best = _rows(deployment.rollup_warehouse, second)
    assert {r[0] for r in best} == {"仙女湖区", "渝水区"}
    assert min(r[3] for r in best) == 1


def test_each_districts_recipients_get_only_their_own_files(city, tmp_path, monkeypatch):
    deployment = city["deployment"]
    monkeypatch.delenv("GRIDPULSE_DELIVERY", raising=False)
    with SmtpServer(tmp_path) as smtp:
        monkeypatch.setenv("SSL_CERT_FILE", str(smtp.cert_path))
        monkeypatch.setenv("AIRFLOW_CONN_GRIDPULSE_SMTP", smtp.connection_json("zzzx-noreply@xinyu.example.org"))
        sent = {}
        for code in (YUSHUI, XIANNVHU):
            before = len(smtp.sink.messages)
            with config.in_district(code):
                pipeline.deliver(MONTH)
                listed = {a for org in settings.delivery()["orgs"].values() for a in org.get("email") or []}
                own = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (config.paths().output / PERIOD).iterdir()}
            sent[code] = (smtp.sink.messages[before:], listed, own)
        pipeline.deliver_rollup(MONTH)
        rollup_messages = smtp.sink.messages[sum(len(s[0]) for s in sent.values()):]
    assert sent[YUSHUI][1].isdisjoint(sent[XIANNVHU][1])
    for code, (messages, listed, own) in sent.items():
        assert messages and {m["rcpt_tos"][0] for m in messages} == listed, code
        for m in messages:
            files = {hashlib.sha256(part.get_content()).hexdigest() for part in m["message"].iter_attachments()}
            assert files and files <= own, f"{code} got a file that is not its own"
    rollup_files = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (deployment.rollup_output / PERIOD).iterdir()}
    city_addresses = {a for org in settings.delivery_in(deployment.delivery)["orgs"].values() for a in org["email"]}
    assert {m["rcpt_tos"][0] for m in rollup_messages} == city_addresses
    for m in rollup_messages:
        assert {hashlib.sha256(part.get_content()).hexdigest() for part in m["message"].iter_attachments()} <= rollup_files
        assert m["message"]["Subject"] == "新余市2022年11月网格化服务管理工作考核汇总通报"


def test_the_rollup_s_log_names_each_district_s_state(city, caplog, capsys):
    """What the rollup task's log says: each district's state, and who is still missing."""
    with caplog.at_level("INFO", logger="gridpulse.pipeline"):
        pipeline.rollup(MONTH)
    said = caplog.text + capsys.readouterr().out
    assert f"{PERIOD} 渝水区（{YUSHUI}）: published / 已发布" in said
    assert f"{PERIOD} 分宜县（{FENYI}）: refused / 导出未通过校验，已退回" in said
    assert f"{PERIOD} 仙女湖区（{XIANNVHU}）: published / 已发布" in said
    assert f"2 of 3 districts published {PERIOD}; not yet: 分宜县（{FENYI}） (named missing in the rollup" in said
