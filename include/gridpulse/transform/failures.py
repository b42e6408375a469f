"""What a failed `dbt build` means, worded for the people who run the month.

Validation catches what it can in the export's own terms. A dbt test sees the month after it was
typed, joined and scored, and can still fail (a rule no file-level check knows, a scheme that
meets a month it was not written for). dbt's own report is English and names nodes; this reads
its run results and manifest and turns each failing test or model into a Problem: the export
file and column a staging model reads where there is one, what the test checks, how many rows
fail, and the compiled SQL that lists them.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from gridpulse import config
from gridpulse.contract import tables
from gridpulse.problems import Problem

# what a generic test checks, in the words of a report; {column} and the test's own arguments fill in
GENERIC_CAUSES = {
    "not_null": "应有值，有 {failures} 行为空",
    "unique": "应唯一，有 {failures} 个值重复",
    "relationships": "引用的值应存在于 {to_name} 的 {field}，有 {failures} 行找不到",
    "accepted_values": "应为 {values} 之一，有 {failures} 个其他值",
    "not_negative": "不应为负，有 {failures} 行为负数",
    "not_above": "不应大于 {ceiling}，有 {failures} 行超出",
    "unique_combination": "{combination_of_columns} 的组合应唯一，有 {failures} 组重复",
    "not_null_columns": "{columns} 都应有值，其中 {failures} 列有空行",
}
NULL_ROWS = "应有值，有 {rows} 行为空"  # a column of a not_null_columns test, named by its query
FAILED = {"fail", "error", "runtime error"}


def _read(target: Path, name: str) -> dict:
    path = target / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _model_name(unique_id: str | None) -> str:
    return unique_id.rsplit(".", 1)[-1] if unique_id else ""


def _export_file(model: str, column: str | None) -> tuple[str, str | None]:
    """The export file (and printed header) a staging model reads, or the model itself."""
    table = model.removeprefix("stg_")
    mapping = config.platform_mapping()["files"].get(table)
    if not model.startswith("stg_") or table not in tables() or not mapping:
        return f"dbt 模型 {model}" if model else "dbt", None
    header = next((printed for printed, canonical in mapping.get("columns", {}).items() if canonical == column), None)
    return mapping["file"], header


def _cause(node: dict, failures: int) -> str:
    """What the test checks and what it found, from its Chinese description or its kind."""
    meta = node.get("config", {}).get("meta", {}) | node.get("meta", {})
    if meta.get("cause_zh"):
        return f"{meta['cause_zh']}，有 {failures} 行不符合"
    test = node.get("test_metadata") or {}
    kwargs = {k: (", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in (test.get("kwargs") or {}).items()}
    referenced = re.search(r"ref\(\s*['\"]([^'\"]+)", str(kwargs.get("to", "")))
    kwargs["to_name"] = referenced.group(1) if referenced else kwargs.get("to", "")
    template = GENERIC_CAUSES.get(test.get("name", ""))
    try:
        return template.format(failures=failures, **kwargs) if template else f"有 {failures} 行不符合"
    except (KeyError, IndexError):
        return f"有 {failures} 行不符合"


def _compiled_sql(node: dict, target: Path) -> Path:
    """The test's compiled query (it selects the failing rows), in this run's target folder."""
    compiled = Path(node.get("compiled_path") or "")
    if "compiled" in compiled.parts:  # relative to wherever dbt ran (Cosmos runs in a temporary copy)
        return target.joinpath(*compiled.parts[compiled.parts.index("compiled"):])
    return target / "compiled" / "gridpulse" / node.get("original_file_path", "")


def _test_problem(result: dict, node: dict, target: Path, cause: str | None = None, column: str | None = None) -> Problem:
    model = _model_name(node.get("attached_node")) or _model_name((node.get("depends_on", {}).get("nodes") or [None])[0])
    column = column or node.get("column_name")
    file, header = _export_file(model, column)
    failures = int(result.get("failures") or 0)
    where = _compiled_sql(node, target)
    message = (f"{cause or _cause(node, failures)}（dbt 检验 {node.get('name')} 未通过，模型 {model}；"
               f"列出这些行的 SQL：{where}）")
    return Problem(file, message, column=column, header=header, check=f"dbt:{node.get('name')}")


def _empty_columns(node: dict, target: Path, warehouse: Path | None) -> list[tuple[str, int]]:
    """The columns a failed not_null_columns test found empty and their empty rows: its compiled
    query (one row per such column) run again on the built DuckDB file. Empty where it cannot be
    (a warehouse on another engine, the file gone): the report then names the test's columns."""
    import duckdb  # here, not at the top: the DAG file imports this module when the scheduler parses it

    if warehouse is None or not warehouse.exists():
        return []
    try:
        con = duckdb.connect()
        try:
            quoted = str(warehouse).replace("'", "''")
            con.execute(f"ATTACH '{quoted}' AS \"{node.get('database')}\" (READ_ONLY)")
            return [(str(column), int(rows)) for column, rows in con.execute(_compiled_sql(node, target).read_text()).fetchall()]
        finally:
            con.close()
    except (duckdb.Error, OSError):
        return []


def _null_problems(result: dict, node: dict, target: Path, warehouse: Path | None) -> list[Problem]:
    """A failed not_null_columns test as the per-column problems a not_null test per column gave."""
    found = _empty_columns(node, target, warehouse)
    return [_test_problem(result, node, target, NULL_ROWS.format(rows=rows), column) for column, rows in found] or [
        _test_problem(result, node, target)]


def _model_problem(result: dict, node: dict) -> Problem:
    model = node.get("name") or _model_name(result.get("unique_id"))
    detail = " ".join(str(result.get("message") or "").split())[:300]
    return Problem(_export_file(model, None)[0], f"模型 {model} 构建失败，本月未发布（dbt 的说明：{detail}）",
                   check=f"dbt:{model}")


def build_failures(target: Path, warehouse: Path | None = None) -> list[Problem]:
    """Every failing test and model of the last `dbt build` whose results are in `target`
    (`warehouse`: the DuckDB file it built, where a failed test's columns are looked up)."""
    nodes = _read(target, "manifest.json").get("nodes", {})
    problems = []
    for result in _read(target, "run_results.json").get("results", []):
        if str(result.get("status")).lower() not in FAILED:
            continue
        node = nodes.get(result.get("unique_id"), {"name": _model_name(result.get("unique_id"))})
        is_test = node.get("resource_type") in ("test", "unit_test") or str(result.get("unique_id")).startswith("test.")
        if not (is_test and result.get("status") == "fail"):
            problems.append(_model_problem(result, node))
        elif (node.get("test_metadata") or {}).get("name") == "not_null_columns":
            problems += _null_problems(result, node, target, warehouse)
        else:
            problems.append(_test_problem(result, node, target))
    return problems or [Problem("dbt", f"dbt build 失败，没有留下可读的结果（{target / 'run_results.json'}）：原因见 dbt 的日志")]
