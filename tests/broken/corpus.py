"""The corpus of broken exports: each case copies the good demo export and breaks it one way real
exports break. `CASES` maps a case name to the function that breaks a copied month folder."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from exports import _update_manifest, edit_csv, edit_xlsx
from gridpulse.sources.manifest import sha256_of


def _set(column: str, row: int, value: str):
    """Edit that puts `value` in data row `row` (0-based) of `column`."""
    def edit(frame):
        frame.loc[row, column] = value
        return frame
    return edit


def _rewrite(folder: Path, name: str, text: str, encoding: str) -> None:
    (folder / name).write_bytes(text.encode(encoding))
    _update_manifest(folder, name, max(text.count("\n") - 1, 0))


def gbk_file_as_utf8_label(folder):  # a GBK file re-saved through a UTF-8 tool with mojibake
    raw = (folder / "事件.csv").read_bytes().decode("gbk")
    (folder / "事件.csv").write_bytes(raw.encode("gbk").decode("latin-1").encode("utf-8"))
    _update_manifest(folder, "事件.csv", raw.count("\n") - 1)


def header_renamed(folder):
    edit_csv(folder, "事件流转.csv", lambda f: f.rename(columns={"流转时间": "转出时间"}))


def header_duplicated(folder):
    path = folder / "矛盾纠纷.csv"
    text = path.read_bytes().decode("gbk").replace("是否化解", "是否化解,是否化解", 1)
    lines = text.split("\n")
    lines = [lines[0]] + [line + ",是" if line else line for line in lines[1:]]
    path.write_bytes("\n".join(lines).encode("gbk"))
    _update_manifest(folder, "矛盾纠纷.csv", len([x for x in lines[1:] if x]))


def text_in_number(folder):
    edit_csv(folder, "巡查记录.csv", _set("巡查里程（公里）", 3, "十二"))


def bad_date(folder):
    edit_csv(folder, "特殊人群走访.csv", _set("走访时间", 5, "2022-11-31 10:00:00"))


def excel_serial_date(folder):
    edit_csv(folder, "事件流转.csv", _set("流转时间", 2, "44870.5"))


def empty_file(folder):
    _rewrite(folder, "管理员登录.csv", "", "utf-8")


def header_only(folder):
    header = (folder / "附加分.csv").read_text(encoding="utf-8-sig").split("\n")[0]
    _rewrite(folder, "附加分.csv", header + "\n", "utf-8")


def truncated_last_line(folder):
    path = folder / "特殊人群走访.csv"
    raw = path.read_bytes().rstrip(b"\n")
    path.write_bytes(raw[: raw.rfind(b",") + 1])  # the last row ends after a comma
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["file"] == path.name:
            entry["sha256"] = sha256_of(path)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def duplicate_id(folder):
    def edit(frame):
        frame.loc[7, "巡查编号"] = frame.loc[6, "巡查编号"]
        return frame
    edit_csv(folder, "巡查记录.csv", edit)


def unknown_worker(folder):
    edit_csv(folder, "巡查记录.csv", _set("网格员编号", 10, "W999999"))


def unknown_org(folder):
    edit_csv(folder, "矛盾纠纷.csv", _set("排查机构编码", 4, "360502999"))


def negative_patrol(folder):
    edit_csv(folder, "巡查记录.csv", _set("结束时间", 8, "2022-11-01 00:00:00"))


def patrol_30_hours(folder):
    def edit(frame):
        start = frame.loc[9, "开始时间"]
        frame.loc[9, "结束时间"] = str(pd.Timestamp(start) + pd.Timedelta(hours=30))
        return frame
    edit_csv(folder, "巡查记录.csv", edit)


def visit_unknown_person(folder):
    edit_csv(folder, "特殊人群走访.csv", _set("人员编号", 12, "TS9999999"))


def checksum_mismatch(folder):
    path = folder / "事件流转.csv"
    path.write_bytes(path.read_bytes() + b"\n")


def missing_file(folder):
    (folder / "附加分.csv").unlink()


def unknown_extra_file(folder):
    (folder / "说明.txt").write_text("额外文件", encoding="utf-8")


def formula_in_name(folder):
    edit_xlsx(folder, "网格员.xlsx", _set("姓名", 0, '=HYPERLINK("http://x.example","点击")'))


def bad_code_value(folder):
    edit_csv(folder, "矛盾纠纷.csv", _set("排查层级", 2, "省级"))


CASES = {f.__name__: f for f in (
    gbk_file_as_utf8_label, header_renamed, header_duplicated, text_in_number, bad_date,
    excel_serial_date, empty_file, header_only, truncated_last_line, duplicate_id, unknown_worker,
    unknown_org, negative_patrol, patrol_30_hours, visit_unknown_person, checksum_mismatch,
    missing_file, unknown_extra_file, formula_in_name, bad_code_value,
)}
