"""The corpus of broken exports (tests/broken/corpus.py): each one stops at validation with a
message naming file, row and canonical column in Chinese, is kept in quarantine with its report,
and publishes nothing."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "broken"))

from conftest import PERIOD  # noqa: E402
from corpus import CASES  # noqa: E402
from exports import drop_month  # noqa: E402
from gridpulse import config, pipeline  # noqa: E402
from gridpulse.problems import ExportRejected  # noqa: E402

EXPECTED = {
    "gbk_file_as_utf8_label": "事件.csv 第 1 行 「事件编号」(event_id)：缺少列「事件编号」",
    "header_renamed": "事件流转.csv 第 1 行 「流转时间」(transferred_at)：缺少列「流转时间」",
    "header_duplicated": "矛盾纠纷.csv 第 1 行 「是否化解」(is_resolved)：表头重复",
    "text_in_number": "巡查记录.csv 第 5 行 「巡查里程（公里）」(distance_km)：「十二」不是数字",
    "bad_date": "特殊人群走访.csv 第 7 行 「走访时间」(visited_at)：「2022-11-31 10:00:00」不是日期时间（如 2022-11-01 08:30:00）",
    "excel_serial_date": "事件流转.csv 第 4 行 「流转时间」(transferred_at)：「44870.5」不是日期时间（如 2022-11-01 08:30:00）",
    "empty_file": "管理员登录.csv：文件为空，没有表头",
    "truncated_last_line": "特殊人群走访.csv 第 1077 行 「走访时间」(visited_at)：必填项为空",
    "duplicate_id": "巡查记录.csv 第 9 行 「巡查编号」(patrol_id)：编号重复",
    "unknown_worker": "巡查记录.csv 第 12 行 「网格员编号」(worker_id)：「W999999」在网格员中不存在",
    "unknown_org": "矛盾纠纷.csv 第 6 行 「排查机构编码」(org_id)：「360502999」在组织机构中不存在",
    "negative_patrol": "巡查记录.csv 第 10 行 「结束时间」(ended_at)：「2022-11-01 00:00:00」早于「开始时间」(started_at)",
    "patrol_30_hours": "巡查记录.csv 第 11 行 「结束时间」(ended_at)：距「开始时间」(started_at)超过 24 小时",
    "visit_unknown_person": "特殊人群走访.csv 第 14 行 「人员编号」(person_id)：「TS9999999」在特殊人群中不存在",
    "checksum_mismatch": "事件流转.csv：文件校验和与清单 manifest.json 不符（传输不完整或文件被改动）",
    "missing_file": "附加分.csv：文件缺失：导出中没有「附加分」文件",
    "formula_in_name": "网格员.xlsx 第 2 行 「姓名」(worker_name)：必填项为空",
    "bad_code_value": "矛盾纠纷.csv 第 4 行 「排查层级」(found_level)：「省级」不是允许的取值（允许：township、village、grid）",
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_broken_export_is_rejected_with_its_message(case, workspace, demo_month):
    CASES[case](drop_month(demo_month, workspace["source"]))
    archived = pipeline.archive(PERIOD)
    with pytest.raises(ExportRejected) as rejected:
        pipeline.validate(PERIOD, archived)
    assert EXPECTED[case] in [p.text() for p in rejected.value.problems]
    paths = config.paths()
    assert not paths.warehouse.exists() and not (paths.output / PERIOD).exists()
    report = next((paths.quarantine / PERIOD).rglob("validation_report.txt")).read_text(encoding="utf-8")
    assert EXPECTED[case] in report
