"""The corpus of broken exports (tests/broken/corpus.py): each one stops at validation with a
message naming file, row and canonical column in Chinese, is kept in quarantine with its report,
and publishes nothing; or it is accepted with the repair docs/bad_exports.md describes, and the
validation report says what was done.

The cases break `small_month` (the demo month at a tenth of its rows; validation reads every row
of every file either way), so the rows, counts and values the messages name are that month's."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "broken"))

from gridpulse import config, pipeline  # noqa: E402
from gridpulse.problems import ExportRejected  # noqa: E402

from conftest import MONTH, PERIOD  # noqa: E402
from corpus import CASES  # noqa: E402
from exports import drop_month  # noqa: E402

pytestmark = pytest.mark.month

REENCODE = "请从平台以 UTF-8 或 GBK 重新导出，不要用其他软件另存"
SERIAL = "请把该列设为日期格式后重新导出"
CONTROL = "平台导出的文本中不应有 NUL 或控制字符，请在平台修正该记录后重新导出"
GATE_NAME = "清单只能列出本月目录中的文件名"
REJECTED = {
    "gbk_file_as_utf8_label": f"事件.csv 第 1 行：文件编码错误：表头是乱码（GBK 文件被当作 Latin-1/UTF-8 转存，还原后可读出「事件编号」等 13 个表头）；{REENCODE}",
    "utf8_file_read_as_gbk": f"事件流转.csv 第 1 行：文件编码错误：表头是乱码（UTF-8 文件被当作 GBK 打开后又保存，还原后可读出「流转编号」等 5 个表头）；{REENCODE}",
    "header_renamed": "事件流转.csv 第 1 行 「流转时间」(transferred_at)：缺少列「流转时间」",
    "header_duplicated": "矛盾纠纷.csv 第 1 行 「是否化解」(is_resolved)：表头重复",
    "merged_header_cells": "网格员.xlsx 第 1 行 「联系电话」(phone)：表头 D1:E1 是合并单元格：每列应有自己的一个表头，请取消合并后重新导出",
    "empty_file": "管理员登录.csv：文件为空，没有表头",
    "header_only": "管理员登录.csv 第 2 行：文件只有表头，没有数据行：「管理员账号登录」每月都应有记录（导出可能不完整）",
    "truncated_last_line": "特殊人群走访.csv 第 113 行：最后一行不完整：只有 3 列，表头有 4 列（文件可能在传输中被截断）",
    "checksum_mismatch": "事件流转.csv：文件校验和与清单 manifest.json 不符（传输不完整或文件被改动）",
    "missing_file": "附加分.csv：文件缺失：导出中没有「附加分」文件",
    "unknown_extra_file": "说明.txt：导出中有导出规范之外的文件（平台是否改了文件名？）；请确认后从导出中去掉它，或在平台映射中登记",
    "corrupt_workbook": "特殊人群.xlsx：文件无法读取：不是完整的 XLSX 工作簿（可能在传输中被截断或损坏）；请从平台重新导出",
    "manifest_of_another_month": "manifest.json：清单中的月份 2022-10 与考核月 2022-11 不符",
    "manifest_row_count_differs": "矛盾纠纷.csv：数据行数 47 与清单记录的 48 不符（文件可能不完整）",
    "text_in_number": "巡查记录.csv 第 5 行 「巡查里程（公里）」(distance_km)：「十二」不是数字",
    "bad_date": "特殊人群走访.csv 第 7 行 「走访时间」(visited_at)：「2022-11-31 10:00:00」不是日期时间（如 2022-11-01 08:30:00）",
    "excel_serial_date": f"事件流转.csv 第 4 行 「流转时间」(transferred_at)：「44870.5」不是日期时间（如 2022-11-01 08:30:00）；像是 Excel 日期序列号（即 2022-11-05 12:00:00），{SERIAL}",
    "excel_serial_date_in_workbook": f"网格员.xlsx 第 4 行 「上岗日期」(active_from)：「44562」不是日期（如 2022-11-01）；像是 Excel 日期序列号（即 2022-01-01），{SERIAL}",
    "unknown_yes_no_word": "事件.csv 第 8 行 「是否有效」(is_valid)：「有效」不是是/否",
    "required_cell_empty": "事件.csv 第 10 行 「上报人编号」(reporter_id)：必填项为空",
    "formula_in_name": "网格员.xlsx 第 2 行 「姓名」(worker_name)：单元格是公式，不是数据（导出中不应有公式，请以数值/文本重新导出）",
    "bad_code_value": "矛盾纠纷.csv 第 4 行 「排查层级」(found_level)：「省级」不是允许的取值（允许：township、village、grid）",
    "header_row_repeated": "事件流转.csv 第 6 行 「流转时间」(transferred_at)：「流转时间」不是日期时间（如 2022-11-01 08:30:00）",
    "online_minutes_over_a_day": "平安通在线情况.csv 第 6 行 「在线时长（分钟）」(online_minutes)：「1500」超出允许范围 [0, 1440]",
    "duplicate_id": "巡查记录.csv 第 9 行 「巡查编号」(patrol_id)：编号重复",
    "worker_id_collides_with_org_code": "网格员.xlsx 第 2 行 「网格员编号」(worker_id)：「360502001」与组织机构.xlsx中的「机构编码」(org_id)重复（同一编号不能指两个对象）",
    "unknown_worker": "巡查记录.csv 第 12 行 「网格员编号」(worker_id)：「W999999」在网格员中不存在",
    "unknown_grid": "网格员.xlsx 第 4 行 「所属网格编码」(grid_id)：「360502999999999」在组织机构中不存在",
    "unknown_org": "矛盾纠纷.csv 第 6 行 「排查机构编码」(org_id)：「360502999」在组织机构中不存在",
    "transfer_of_unknown_event": "事件流转.csv 第 5 行 「事件编号」(event_id)：「E2099010000001」在事件中不存在",
    "visit_unknown_person": "特殊人群走访.csv 第 14 行 「人员编号」(person_id)：「TS9999999」在特殊人群中不存在",
    "adjustment_for_a_scheme_not_in_force": "附加分.csv 第 2 行 「考核方案」(scheme_id)：「baiguan_grid_2021」不是 2022-11 有效且设有附加分项目的考核方案（本月可用：无）：该行附加分无法计入",
    "export_of_another_district": "组织机构.xlsx 第 2 行 「机构编码」(org_id)：区县「分宜县」（360521）不是本部署配置的 渝水区（360502）：这是另一个区县的导出，不能以 渝水区 的名义发布（另一区县请用它自己的配置文件运行，GRIDPULSE_CONFIG）",
    "event_outside_the_month": "事件.csv 第 32 行 「上报时间」(reported_at)：「2022-12-02 09:15:00」不在本考核月内",
    "closed_before_reported": "事件.csv 第 30 行 「办结时间」(closed_at)：「2022-11-01 05:17:52」早于「上报时间」(reported_at)",
    "negative_patrol": "巡查记录.csv 第 10 行 「结束时间」(ended_at)：「2022-11-01 00:00:00」早于「开始时间」(started_at)",
    "timestamp_with_offset": "事件.csv 第 5 行 「上报时间」(reported_at)：「2022-11-03T09:15:00+08:00」不是日期时间（如 2022-11-01 08:30:00）；带时区（如 +08:00）：平台时间一律是北京时间，不带时区，请去掉时区后重新导出（不会自动换算）",
    "cut_inside_last_value": "巡查记录.csv 第 2200 行：文件末尾没有换行：最后一行可能在传输中被截断（其最后一个值可能不完整，如 7.14 变成 7.）；请从平台重新导出完整文件",
    "cut_inside_a_character": "事件.csv 第 3305 行：文件在一个汉字的中间结束：最后一行在传输中被截断（GBK）；请从平台重新导出完整文件",
    "carried_over_reported_after_the_month": "事件.csv 第 2 行 「上报时间」(reported_at)：「2022-11-10 09:00:00」不早于本考核月，但「是否结转」(is_carried_over)为是：结转的记录应来自之前的月份",
    "closed_after_the_export_was_made": "事件.csv 第 265 行 「办结时间」(closed_at)：「2022-12-05 10:00:00」晚于本次导出生成的时间（清单 exported_at）：时间不可能在导出之后，请核对平台时钟后重新导出",
    "worker_in_a_village": "网格员.xlsx 第 4 行 「所属网格编码」(grid_id)：「360502001001」在组织机构中的层级不是网格（grid）（应指向网格（grid）一级的单位）",
    "thousands_separators": "巡查记录.csv 第 5 行 「巡查里程（公里）」(distance_km)：2 个单元格带千位分隔符（如「1,012.50」）：表格软件把数字显示成了带逗号的文本；请把该列设为常规数字格式（不用千位分隔符）后重新导出",
    "org_unit_of_another_district": "组织机构.xlsx 第 122 行 「机构编码」(org_id)：「360521001」（分宜镇）不属于 渝水区：本区县的机构编码都以 360502 开头，另一区县的单位不能混入本区县的组织机构；请核对导出范围后重新导出",
    "title_row_above_the_header": "矛盾纠纷.csv 第 1 行：第 1 行是「渝水区2022年11月矛盾纠纷排查台账」，表头在第 2 行：请删除表头上方的标题行后重新导出",
    "codes_in_scientific_notation": "事件.csv 第 4 行 「所属机构编码」(org_id)：3 个编码被表格软件改成了科学计数法（如「3.60502E+14」），后几位数字已丢失：请把该列设为文本格式，从平台重新导出（长编码不能当数字存）",
    "utf8_file_cut_inside_a_character": "矛盾纠纷.csv 第 48 行：文件在一个汉字的中间结束：最后一行在传输中被截断（UTF-8）；请从平台重新导出完整文件",
    "patrol_ended_after_the_export_was_made": "巡查记录.csv 第 12 行 「结束时间」(ended_at)：「2022-12-01 05:00:00」晚于本次导出生成的时间（清单 exported_at）：时间不可能在导出之后，请核对平台时钟后重新导出",
    "visit_after_the_month": "特殊人群走访.csv 第 6 行 「走访时间」(visited_at)：「2022-12-01 10:00:00」不在本考核月内",
    "row_with_an_unquoted_comma": "矛盾纠纷.csv 第 5 行：该行有 6 列，表头有 5 列（可能有未加引号的逗号或换行）；文件无法按列读取",
    "person_id_collides_with_worker_id": "特殊人群.xlsx 第 3 行 「人员编号」(person_id)：「W360502000001」与网格员.xlsx中的「网格员编号」(worker_id)重复（同一编号不能指两个对象）",
    "title_row_above_a_workbooks_header": "网格员.xlsx 第 1 行：第 1 行是「渝水区网格员花名册」，表头在第 2 行：请删除表头上方的标题行后重新导出",
    "patrol_30_hours": "巡查记录.csv 第 11 行 「结束时间」(ended_at)：距「开始时间」(started_at)超过 24 小时",
    # hostile or new kinds of broken files (the gate, gate.py; cell_limits.py)
    "file_name_with_a_line_break": "说明\\n2022-11 导出 校验通过.txt：导出中有导出规范之外的文件（平台是否改了文件名？）；请确认后从导出中去掉它，或在平台映射中登记",
    "file_present_but_not_listed": "附加分.csv：在导出中，但清单未列出：不会载入未列出的文件；请从平台重新导出完整的清单",
    "listed_file_absent_beside_an_unlisted_one": "矛盾纠纷.csv：清单中列出的文件不在导出中（导出中另有清单未列出的文件「矛盾纠纷(1).csv」，是否改了文件名？）",
    "nul_inside_a_cell": f"事件.csv 第 7 行 「无效原因」(invalid_reason)：单元格含有控制字符（\\x00）：{CONTROL}",
    "control_characters_in_an_org_name": f"组织机构.xlsx 第 5 行 「机构名称」(org_name)：单元格含有控制字符（\\x07、\\x1b）：{CONTROL}",
    "cell_over_the_limit": "组织机构.xlsx 第 5 行 「机构名称」(org_name)：单元格有 20000 个字符，超过上限 10000 个（export_limits.cell_chars）：平台导出的单元格不会这么长，请核对该记录后重新导出",
    "line_over_the_readers_limit": "事件.csv 第 4 行：该行过长（该行 3000141 字节，读取上限 2000000 字节）：有单元格过长（每个单元格至多 10000 个字符，export_limits.cell_chars）；请核对该记录后重新导出",
    "header_of_200000_columns": "附加分.csv 第 1 行：表头有 200005 列，超过上限 200 列（export_limits.header_columns）：不是平台的导出表格，请从平台重新导出",
    "deadline_before_report": "事件.csv 第 8 行 「办理时限」(due_at)：「2022-10-21 12:51:22」早于「上报时间」(reported_at)",
    "placeholder_epoch_time": "事件流转.csv 第 3 行 「流转时间」(transferred_at)：「1970-01-01 08:00:00」是占位时间（1970-01-01：平台没有填写时间时写入的默认值），不是真实的日期时间：请在平台补录该记录的时间后重新导出",
    "org_code_with_a_path_separator": "管理员登录.csv 第 5 行 「机构编码」(org_id)：编码「../../360502001」含有路径分隔符（/ 或 \\）或是 . / ..：编码只能由字母和数字组成；请在平台核对后重新导出",
}
# A malformed manifest stops the run before there is an export id to quarantine it under.
# So does every export the gate refuses (gate.py): nothing of it is read, copied or archived.
BEFORE_ARCHIVE = {
    "manifest_not_json": "manifest.json 第 1 行：JSON 格式错误：清单在第 1 行第 33 列提前结束（文件不完整，可能在传输中被截断）；请从平台重新导出",
    "manifest_names_an_absolute_path": f"manifest.json：文件名「/etc/passwd」含有路径分隔符（/ 或 \\）；{GATE_NAME}",
    "manifest_names_a_parent_path": f"manifest.json：文件名「../canary.csv」含有路径分隔符（/ 或 \\）；{GATE_NAME}",
    "manifest_lists_dev_zero": f"manifest.json：文件名「/dev/zero」含有路径分隔符（/ 或 \\）；{GATE_NAME}",
    "nul_in_a_manifest_name": f"manifest.json：文件名「附加分\\x00.csv」含有换行、NUL 或其他控制字符；{GATE_NAME}",
    "export_id_leaves_the_archive": "manifest.json：export_id「../../outside」不合规：只能由字母、数字、_、-、. 组成（不含 ..），以字母或数字开头，至多 100 个字符；请从平台重新导出",
    "symlink_in_the_export": "附加分.csv：不是普通文件（符号链接）：导出中只能有普通文件，不会读取它；请把真实文件放入导出目录",
    "file_name_not_utf8": "\\udcb8\\udcbd\\udcbc\\udcfe.txt：文件名不是有效的 UTF-8 文本：导出中的文件名应是平台写的 UTF-8 文件名",
    "fifo_in_the_export": "附加分.csv：不是普通文件（管道（FIFO））：导出中只能有普通文件，不会读取它；请把真实文件放入导出目录",
}
# Accepted, with the repair the validation report records (None: nothing needed repairing).
ACCEPTED = {
    "bom_added": None,
    "bom_doubled": None,
    "extra_column": "事件流转.csv 第 1 行：导出规范之外的列「备注」未载入（已忽略）",
    "header_with_half_width_brackets": "巡查记录.csv 第 1 行 「巡查里程(公里)」(distance_km)：表头「巡查里程(公里)」按「巡查里程（公里）」读取（全角/半角或空格不同）",
    "data_on_the_second_sheet": "网格员.xlsx 第 1 行：数据在第 2 个工作表「Sheet1」，其前的工作表「说明」不是数据（已跳过）",
    "other_date_spellings": "特殊人群走访.csv 第 3 行 「走访时间」(visited_at)：2 个单元格用了另一种日期写法（如 2022/11/03、2022年11月3日），意思明确，已按日期时间（如 2022-11-01 08:30:00）读取",
    "booleans_written_by_excel": None,
    "yes_no_as_y_n": None,
    "blank_lines_at_the_end": None,
    "empty_extra_sheet": None,
    "header_with_a_space": "事件流转.csv 第 1 行 「流转 编号」(transfer_id)：表头「流转 编号」按「流转编号」读取（全角/半角或空格不同）",
    "mixed_line_ends": "巡查记录.csv 第 1 行：文件混用两种换行（10 行以 CRLF 结尾，2190 行以 LF 结尾，像是被两个程序先后写过）：已统一按 LF 换行读取",
    "formula_like_names": "组织机构.xlsx 第 20 行 「机构名称」(org_name)：2 个单元格以 = + - @ 开头或含 <…> 标记（像公式或网页代码）：已按文本载入，所有输出都按原文显示，不会执行；请核对是否录入有误",
}


def test_every_case_has_its_expectation():
    assert set(CASES) == set(REJECTED) | set(BEFORE_ARCHIVE) | set(ACCEPTED)
    assert len(CASES) >= 30


def _nothing_published():
    paths = config.paths()
    assert not paths.warehouse.exists() and not paths.building.exists()
    assert not (paths.output / PERIOD).exists()


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_broken_export_is_rejected_with_its_message(case, workspace, small_month):
    CASES[case](drop_month(small_month, workspace["source"]))
    archived = pipeline.archive(MONTH)
    with pytest.raises(ExportRejected) as rejected:
        pipeline.validate(MONTH, archived)
    problems = rejected.value.problems
    assert REJECTED[case] in [p.text() for p in problems]
    cells = [(p.file, p.row, p.column) for p in problems if p.row is not None and p.row > 1]
    assert len(cells) == len(set(cells)), "a cell or row is reported twice"
    _nothing_published()
    quarantined = config.paths().quarantine / PERIOD / Path(archived).name
    report = (quarantined / "validation_report.txt").read_text(encoding="utf-8")
    assert REJECTED[case] in report
    # one line per problem and repair listed: no name or cell forged a line of its own
    body = json.loads((quarantined / "validation_report.json").read_text(encoding="utf-8"))
    assert len(report.splitlines()) == 1 + len(body["problems"]) + (1 + len(body["repairs"]) if body["repairs"] else 0)
    # the export sits in quarantine byte for byte as archived, readable by the service alone
    for original in Path(archived).iterdir():
        assert (quarantined / original.name).read_bytes() == original.read_bytes()
    quarantine_root = config.paths().quarantine
    for path in [quarantine_root, *quarantine_root.rglob("*")]:
        assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600), path


@pytest.mark.parametrize("case", sorted(BEFORE_ARCHIVE))
def test_unreadable_manifest_stops_the_run_at_archiving(case, workspace, small_month):
    CASES[case](drop_month(small_month, workspace["source"]))
    with pytest.raises(ExportRejected) as rejected:
        pipeline.archive(MONTH)
    assert BEFORE_ARCHIVE[case] in [p.text() for p in rejected.value.problems]
    assert not (config.paths().archive / PERIOD).exists()
    _nothing_published()


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_repairable_export_is_accepted_and_the_repair_reported(case, workspace, small_month):
    CASES[case](drop_month(small_month, workspace["source"]))
    archived = pipeline.archive(MONTH)
    report = Path(pipeline.validate(MONTH, archived))
    body = json.loads((report.parent / "validation_report.json").read_text(encoding="utf-8"))
    assert body["passed"] and not body["problems"]
    repairs = [r["text"] for r in body["repairs"] if r["file"] != "附加分.csv"]
    assert repairs == ([ACCEPTED[case]] if ACCEPTED[case] else [])
    if ACCEPTED[case]:
        assert ACCEPTED[case] in report.read_text(encoding="utf-8")
    assert not (config.paths().quarantine / PERIOD).exists()
