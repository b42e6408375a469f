"""Checks of an export against the deployment it is run by (gridpulse.yml): the export's district
is the configured one, and its adjustment (附加分) rows name a scheme in force that month. The
letterhead, addressees and schemes come from configuration, so an export of another district
would otherwise be published under this district's name, and an adjustment for a scheme not in
force would be dropped in silence."""
from __future__ import annotations

from gridpulse import config
from gridpulse.problems import Problem
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
            for row, org_id, org_name in found if str(org_id) != code]


def _adjustment_problems(con, data: ExportData) -> list[Problem]:
    allowed = sorted(adjustable_in_force(data.period))
    file, header = data.files["score_adjustments"], data.headers["score_adjustments"].get("scheme_id")
    found = con.execute("SELECT source_row, scheme_id FROM score_adjustments ORDER BY source_row").fetchall()
    shown = "、".join(allowed) or "无"
    return [Problem(file, f"「{scheme_id}」不是 {data.period} 有效且设有附加分项目的考核方案（本月可用：{shown}）：该行附加分无法计入",
                    row=int(row), column="scheme_id", header=header, value=str(scheme_id), check="scheme_in_force")
            for row, scheme_id in found if scheme_id not in allowed]
