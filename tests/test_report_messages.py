"""Messages that cannot be forged or flooded: every name, header and cell a problem quotes is
escaped (line breaks, NUL, control characters and bidirectional overrides shown as escapes) and
cut with "…（共 N 字符）"; a report lists each check up to a limit and counts the rest."""
from __future__ import annotations

import json

from gridpulse.problems import MAX_PER_CLASS, MAX_QUOTED, ExportRejected, Problem
from gridpulse.quarantine import REPORT_JSON, REPORT_TEXT, write_report

HOSTILE = "说明\n2022-11 导出 校验通过\r\x00\x1b[2J\u202egnp.exe"


def test_a_quoted_name_header_and_cell_are_escaped():
    problem = Problem(HOSTILE, f"「{HOSTILE}」不是数字", row=3, column="org_name", header=HOSTILE, value=HOSTILE)
    text = problem.text()
    assert "\n" not in text and "\r" not in text and "\x00" not in text and "\x1b" not in text and "\u202e" not in text
    assert text.startswith("说明\\n2022-11 导出 校验通过\\r\\x00\\x1b[2J\\u202egnp.exe 第 3 行")
    assert problem.as_dict()["value"] == "说明\\n2022-11 导出 校验通过\\r\\x00\\x1b[2J\\u202egnp.exe"


def test_a_long_value_is_cut_saying_how_long_it_was():
    name = "长" * 5_000_000
    problem = Problem("组织机构.xlsx", f"「{name}」不在组织机构中", value=name)
    assert problem.value == "长" * MAX_QUOTED + "…（共 5000000 字符）"
    assert problem.message_zh == f"「{'长' * MAX_QUOTED}…（共 5000000 字符）」不在组织机构中"
    assert len(problem.text()) < 400


def test_a_report_lists_each_check_up_to_its_limit_then_counts(tmp_path):
    problems = [Problem(f"c{i}\n伪造.csv", "导出中有导出规范之外的文件", check="file_unknown") for i in range(5_000)]
    problems.append(Problem("事件.csv", "「x」不是数字", row=5, column="distance_km", check="type:number"))
    report = write_report(tmp_path, "2022-11", "x-2022-11", problems)
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "2022-11 导出 x-2022-11 校验未通过：5001 处问题"
    assert len(lines) == 1 + MAX_PER_CLASS + 1 + 1
    assert f"同类问题（file_unknown）另有 {5_000 - MAX_PER_CLASS} 处未列出" in lines[-1]
    assert all(line.startswith(("c", "事件.csv", "2022-11", "（多个文件）")) for line in lines)  # no line forged by a name
    body = json.loads((tmp_path / REPORT_JSON).read_text(encoding="utf-8"))
    assert body["problem_count"] == 5_001 and len(body["problems"]) == MAX_PER_CLASS + 2
    assert (tmp_path / REPORT_TEXT).stat().st_size < 100_000


def test_the_error_a_run_prints_is_bounded_and_escaped():
    error = ExportRejected("拒收", [Problem(HOSTILE * 1000, "坏") for _ in range(10_000)])
    printed = str(error)
    assert len(printed) < 10_000
    assert "\x00" not in printed and printed.count("\n") == 21


def test_a_name_that_is_not_utf8_is_escaped(tmp_path):
    name = b"\xff\xfe.csv".decode("utf-8", "surrogateescape")  # as os.listdir hands it over
    report = write_report(tmp_path, "2022-11", "x-2022-11", [Problem(name, "导出中有导出规范之外的文件")])
    assert "\\udcff\\udcfe.csv：导出中有导出规范之外的文件" in report.read_text(encoding="utf-8")
