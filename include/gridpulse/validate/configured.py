"""Checks of an export against the deployment it is run by (gridpulse.yml): the export's district
is the configured one, and its adjustment (附加分) rows name a scheme in force that month. The
letterhead, addressees and schemes come from configuration, so an export of another district
would otherwise be published under this district's name, and an adjustment for a scheme not in
force would be dropped in silence."""
from __future__ import annotations

from gridpulse import config
from gridpulse.problems import MAX_ROWS_PER_CHECK, Problem, unlisted
from gridpulse.schemes import adjustable_in_force, check_in_force
from gridpulse.validate.export import ExportData


def scheme_notices(period: str) -> list[Problem]:
    """The configured schemes not in force in the month, for the report (check_in_force raises
    instead when gridpulse.yml says `schemes_out_of_force: fail`)."""
    return [Problem(config.settings_file().name, sentence, check="scheme_in_force") for sentence in check_in_force(period)]


def configuration_problems(data: ExportData) -> list[Problem]:
    with data.connect() as con:
        problems = _district_problems(con, data) if "org_units" in data.readable else []
        if "score_adjustments" in data.readable:
            problems += _adjustment_problems(con, data)
    return problems


def _district_problems(con, data: ExportData) -> list[Problem]:
    district = config.settings()["district"]
    code, name = str(district["code"]), district["name"]
    file, header = data.files["org_units"], data.headers["org_units"].get("org_id")
    found = con.execute("SELECT source_row, org_id, org_name FROM org_units WHERE org_level = 'district' ORDER BY source_row").fetchall()
    if not found:
        return [Problem(file, f"没有区县一级（district）的机构：无法确认导出属于本部署的 {name}（{code}）", check="district")]
    return [Problem(file, f"区县「{org_name}」（{org_id}）不是本部署配置的 {name}（{code}）：这是另一个区县的导出，"
                          f"不能以 {name} 的名义发布（另一区县请用它自己的配置文件运行，GRIDPULSE_CONFIG）",
                    row=int(row), column="org_id", header=header, value=str(org_id), check="district")
            for row, org_id, org_name in found if str(org_id) != code] + _foreign_unit_problems(con, code, name, file, header)


def _foreign_unit_problems(con, code: str, name: str, file: str, header: str | None) -> list[Problem]:
    """Org codes are administrative division codes: every unit of the district, agencies
    included, carries the district's code in front. A unit without it belongs to another district
    (its rows would otherwise pass validation and only fail a dbt test later, or be scored here)."""
    found = con.execute("SELECT source_row, org_id, org_name FROM org_units WHERE org_level <> 'district' "
                        "AND NOT starts_with(org_id, ?) ORDER BY source_row LIMIT ?", [code, MAX_ROWS_PER_CHECK + 1]).fetchall()
    problems = [Problem(file, f"「{org_id}」（{org_name}）不属于 {name}：本区县的机构编码都以 {code} 开头，"
                              "另一区县的单位不能混入本区县的组织机构；请核对导出范围后重新导出",
                        row=int(row), column="org_id", header=header, value=str(org_id), check="district")
                for row, org_id, org_name in found[:MAX_ROWS_PER_CHECK]]
    if len(found) > MAX_ROWS_PER_CHECK:
        total = con.execute("SELECT count(*) FROM org_units WHERE org_level <> 'district' AND NOT starts_with(org_id, ?)", [code]).fetchone()[0]
        problems += unlisted(file, total - MAX_ROWS_PER_CHECK, "org_id", header, "district")
    return problems


def _adjustment_problems(con, data: ExportData) -> list[Problem]:
    allowed = sorted(adjustable_in_force(data.period))
    file, header = data.files["score_adjustments"], data.headers["score_adjustments"].get("scheme_id")
    found = con.execute("SELECT source_row, scheme_id FROM score_adjustments ORDER BY source_row").fetchall()
    shown = "、".join(allowed) or "无"
    return [Problem(file, f"「{scheme_id}」不是 {data.period} 有效且设有附加分项目的考核方案（本月可用：{shown}）：该行附加分无法计入",
                    row=int(row), column="scheme_id", header=header, value=str(scheme_id), check="scheme_in_force")
            for row, scheme_id in found if scheme_id not in allowed]
