"""The corpus of broken exports: each case copies the good demo export and breaks it one way real
exports break. `CASES` maps a case name to the function that breaks a copied month folder.

Row numbers below are data rows counted from 0; the report counts spreadsheet rows (header = 1),
so data row n is reported as row n + 2."""
from __future__ import annotations

import io
import os
import zipfile

import pandas as pd

from exports import edit_book, edit_csv, edit_manifest, edit_sheet, edit_text, edit_xlsx, rewrite


def _set(column: str, row: int, value: str):
    """Edit that puts `value` in data row `row` (0-based) of `column`."""
    def edit(frame):
        frame.loc[row, column] = value
        return frame
    return edit


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")


# --- encodings -------------------------------------------------------------------------------

def gbk_file_as_utf8_label(folder):
    """A GBK file opened as Latin-1 by a tool that then saved it as UTF-8: valid UTF-8, garbled."""
    text = (folder / "事件.csv").read_bytes().decode("gbk")
    rewrite(folder, "事件.csv", text.encode("gbk").decode("latin-1").encode("utf-8"))


def utf8_file_read_as_gbk(folder):
    """The reverse: a UTF-8 file opened as GBK and saved again as UTF-8."""
    raw = (folder / "事件流转.csv").read_bytes()
    rewrite(folder, "事件流转.csv", raw.decode("gb18030").encode("utf-8"))


def bom_added(folder):
    """A UTF-8 file saved by Excel with a byte-order mark: accepted as it is."""
    raw = (folder / "事件流转.csv").read_bytes()
    rewrite(folder, "事件流转.csv", b"\xef\xbb\xbf" + raw)


def bom_doubled(folder):
    """A file that already had a BOM, given a second one by another tool: accepted."""
    raw = (folder / "巡查记录.csv").read_bytes()
    rewrite(folder, "巡查记录.csv", b"\xef\xbb\xbf" + raw)


# --- headers and files -----------------------------------------------------------------------

def header_renamed(folder):
    edit_csv(folder, "事件流转.csv", lambda f: f.rename(columns={"流转时间": "转出时间"}))


def header_duplicated(folder):
    def edit(text):
        lines = text.replace("是否化解", "是否化解,是否化解", 1).split("\n")
        return "\n".join([lines[0]] + [line.rstrip("\r") + ",是\r" if line else line for line in lines[1:]])
    edit_text(folder, "矛盾纠纷.csv", edit)


def extra_column(folder):
    """A column the contract does not know: ignored, and the report says so."""
    edit_csv(folder, "事件流转.csv", lambda f: f.assign(备注="无"))


def merged_header_cells(folder):
    edit_sheet(folder, "网格员.xlsx", lambda sheet: sheet.merge_cells("D1:E1"))


def empty_file(folder):
    rewrite(folder, "管理员登录.csv", b"", rows=0)


def header_only(folder):
    """A header and no rows, in a table that has rows every month."""
    edit_text(folder, "管理员登录.csv", lambda text: _first_line(text) + "\r\n", rows=0)


def truncated_last_line(folder):
    def edit(text):
        text = text.rstrip("\r\n")
        return text[: text.rfind(",")]  # the last row stops before its last field
    edit_text(folder, "特殊人群走访.csv", edit)


def checksum_mismatch(folder):
    path = folder / "事件流转.csv"
    path.write_bytes(path.read_bytes() + b"\n")  # the manifest keeps the old sha256


def missing_file(folder):
    (folder / "附加分.csv").unlink()


def unknown_extra_file(folder):
    (folder / "说明.txt").write_text("额外文件", encoding="utf-8")


def corrupt_workbook(folder):
    raw = (folder / "特殊人群.xlsx").read_bytes()
    rewrite(folder, "特殊人群.xlsx", raw[: len(raw) // 2])


def manifest_of_another_month(folder):
    edit_manifest(folder, lambda m: m.update(period="2022-10"))


def manifest_row_count_differs(folder):
    def edit(manifest):
        entry = next(e for e in manifest["files"] if e["file"] == "矛盾纠纷.csv")
        entry["rows"] += 1
    edit_manifest(folder, edit)


def manifest_not_json(folder):
    (folder / "manifest.json").write_text('{"period": "2022-11", "files": [', encoding="utf-8")


# --- cells -----------------------------------------------------------------------------------

def text_in_number(folder):
    edit_csv(folder, "巡查记录.csv", _set("巡查里程（公里）", 3, "十二"))


def bad_date(folder):
    edit_csv(folder, "特殊人群走访.csv", _set("走访时间", 5, "2022-11-31 10:00:00"))


def excel_serial_date(folder):
    edit_csv(folder, "事件流转.csv", _set("流转时间", 2, "44870.5"))


def excel_serial_date_in_workbook(folder):
    """A date column that Excel turned into numbers: the cell holds 44562 (2022-01-01)."""
    edit_sheet(folder, "网格员.xlsx", lambda sheet: setattr(sheet["F4"], "value", 44562))


def unknown_yes_no_word(folder):
    edit_csv(folder, "事件.csv", _set("是否有效", 6, "有效"))


def required_cell_empty(folder):
    edit_csv(folder, "事件.csv", _set("上报人编号", 8, ""))


def formula_in_name(folder):
    edit_xlsx(folder, "网格员.xlsx", _set("姓名", 0, '=HYPERLINK("http://x.example","点击")'))


def bad_code_value(folder):
    edit_csv(folder, "矛盾纠纷.csv", _set("排查层级", 2, "省级"))


def header_row_repeated(folder):
    """Pages of an export pasted together, each with its header: a header line in the data."""
    def edit(text):
        lines = text.split("\n")
        return "\n".join(lines[:5] + [lines[0]] + lines[5:])
    edit_text(folder, "事件流转.csv", edit)


def online_minutes_over_a_day(folder):
    edit_csv(folder, "平安通在线情况.csv", _set("在线时长（分钟）", 4, "1500"))


# --- keys and references ---------------------------------------------------------------------

def duplicate_id(folder):
    def edit(frame):
        frame.loc[7, "巡查编号"] = frame.loc[6, "巡查编号"]
        return frame
    edit_csv(folder, "巡查记录.csv", edit)


def worker_id_collides_with_org_code(folder):
    """A worker id that is also an org code: an event's reporter could be either."""
    edit_xlsx(folder, "网格员.xlsx", _set("网格员编号", 0, "360502001"))


def unknown_worker(folder):
    edit_csv(folder, "巡查记录.csv", _set("网格员编号", 10, "W999999"))


def unknown_grid(folder):
    edit_xlsx(folder, "网格员.xlsx", _set("所属网格编码", 2, "360502999999999"))


def unknown_org(folder):
    edit_csv(folder, "矛盾纠纷.csv", _set("排查机构编码", 4, "360502999"))


def transfer_of_unknown_event(folder):
    edit_csv(folder, "事件流转.csv", _set("事件编号", 3, "E2099010000001"))


def visit_unknown_person(folder):
    edit_csv(folder, "特殊人群走访.csv", _set("人员编号", 12, "TS9999999"))


# --- configuration: what the export must agree with in gridpulse.yml ---------------------------

def adjustment_for_a_scheme_not_in_force(folder):
    """An 附加分 row naming the grid scheme of 2021 in a 2022 month: it cannot count, and dropping
    it would change a unit's total in silence."""
    def edit(frame):
        row = {"调整编号": "TZ2022110001", "考核方案": "baiguan_grid_2021", "机构编码": "360502001", "分值": "10", "原因": "街道考核加分"}
        return pd.concat([frame, pd.DataFrame([row])], ignore_index=True)
    edit_csv(folder, "附加分.csv", edit)


def export_of_another_district(folder):
    """分宜县's export dropped where 渝水区's is expected: its district row carries its own code."""
    def edit(frame):
        district = frame.index[frame["机构层级"] == "区县"][0]
        old = frame.loc[district, "机构编码"]
        frame.loc[district, ["机构编码", "机构名称"]] = ["360521", "分宜县"]
        frame.loc[frame["上级机构编码"] == old, "上级机构编码"] = "360521"
        return frame
    edit_xlsx(folder, "组织机构.xlsx", edit)


# --- time ------------------------------------------------------------------------------------

def event_outside_the_month(folder):
    def edit(frame):
        new = frame.index[frame["是否结转"] == "否"][4]
        frame.loc[new, "上报时间"] = "2022-12-02 09:15:00"
        return frame
    edit_csv(folder, "事件.csv", edit)


def closed_before_reported(folder):
    def edit(frame):
        closed = frame.index[(frame["办结时间"] != "") & (frame["是否结转"] == "否")][2]
        frame.loc[closed, "办结时间"] = str(pd.Timestamp(frame.loc[closed, "上报时间"]) - pd.Timedelta(hours=3))
        return frame
    edit_csv(folder, "事件.csv", edit)


def negative_patrol(folder):
    edit_csv(folder, "巡查记录.csv", _set("结束时间", 8, "2022-11-01 00:00:00"))


def patrol_30_hours(folder):
    def edit(frame):
        frame.loc[9, "结束时间"] = str(pd.Timestamp(frame.loc[9, "开始时间"]) + pd.Timedelta(hours=30))
        return frame
    edit_csv(folder, "巡查记录.csv", edit)


# --- values changed silently, dates that cannot be true, levels (issue: nothing wrong gets in) ---

def timestamp_with_offset(folder):
    """An ISO time with an offset: refused, never shifted (pandas once loaded it 8 hours off)."""
    edit_csv(folder, "事件.csv", _set("上报时间", 3, "2022-11-03T09:15:00+08:00"))


def cut_inside_last_value(folder):
    """A CSV cut in its last value without a final line break: 7.14 arrives as 7."""
    edit_text(folder, "巡查记录.csv", lambda text: text.rstrip("\r\n")[:-2])


def cut_inside_a_character(folder):
    """A GBK file cut between the two bytes of a Chinese character in its last line."""
    text = (folder / "事件.csv").read_bytes().decode("gb18030").rstrip("\r\n")
    cut = text.rfind("城市管理")
    rewrite(folder, "事件.csv", text[:cut].encode("gbk") + "城".encode("gbk")[:1])


def carried_over_reported_after_the_month(folder):
    """结转 says the event is from an earlier month, its report date says this one."""
    edit_csv(folder, "事件.csv", _set("上报时间", 0, "2022-11-10 09:00:00"))


def closed_after_the_export_was_made(folder):
    edit_csv(folder, "事件.csv", _set("办结时间", 263, "2022-12-05 10:00:00"))


def worker_in_a_village(folder):
    """A grid worker's grid that exists, but is a village."""
    edit_sheet(folder, "网格员.xlsx", lambda sheet: setattr(sheet["B4"], "value", "360502001001"))


def thousands_separators(folder):
    """Two numbers a spreadsheet printed with thousands separators: one problem with a count."""
    def edit(frame):
        frame.loc[[3, 7], "巡查里程（公里）"] = ["1,012.50", "2,000"]
        return frame
    edit_csv(folder, "巡查记录.csv", edit)


def org_unit_of_another_district(folder):
    """A township of 分宜县 (360521) in 渝水区's org tree, hung under 渝水区."""
    def edit(frame):
        row = {"机构编码": "360521001", "机构名称": "分宜镇", "机构层级": "乡镇街道", "上级机构编码": "360502",
               "常住人口": "52000", "是否设综治中心": "是"}
        return pd.concat([frame, pd.DataFrame([row])], ignore_index=True)
    edit_xlsx(folder, "组织机构.xlsx", edit)


def formula_like_names(folder):
    """Names that start like a formula or hold markup, stored as text cells: accepted as text,
    and the report says so (rows 20 and 21 are the first two villages)."""
    def edit(sheet):
        sheet["B20"].value, sheet["B21"].value = "=山下村", "<b>新田村</b>"
        sheet["B20"].data_type = "s"  # a text cell that starts with '=', not a formula
    edit_sheet(folder, "组织机构.xlsx", edit)


def header_with_half_width_brackets(folder):
    """「巡查里程(公里)」for「巡查里程（公里）」: the same header in other widths, read as meant."""
    edit_csv(folder, "巡查记录.csv", lambda f: f.rename(columns={"巡查里程（公里）": "巡查里程(公里)"}))


def title_row_above_the_header(folder):
    edit_text(folder, "矛盾纠纷.csv", lambda text: "渝水区2022年11月矛盾纠纷排查台账,,,,\r\n" + text)


def data_on_the_second_sheet(folder):
    """A notes sheet put before the data sheet: the data sheet is found and read."""
    def edit(book):
        notes = book.create_sheet("说明", 0)
        notes["A1"] = "本表由平台导出"
    edit_book(folder, "网格员.xlsx", edit)


def codes_in_scientific_notation(folder):
    """Grid codes a spreadsheet turned into numbers: 360502001001001 became 3.60502E+14."""
    def edit(frame):
        frame.loc[[2, 5, 9], "所属机构编码"] = "3.60502E+14"
        return frame
    edit_csv(folder, "事件.csv", edit)


def other_date_spellings(folder):
    """2022/11/03 and 2022年11月3日: another spelling whose meaning is certain, read as meant."""
    def edit(frame):
        frame.loc[1, "走访时间"] = frame.loc[1, "走访时间"].replace("-", "/")
        year, month, rest = frame.loc[2, "走访时间"].split("-", 2)
        day, time = rest.split(" ")
        frame.loc[2, "走访时间"] = f"{year}年{int(month)}月{int(day)}日 {time}"
        return frame
    edit_csv(folder, "特殊人群走访.csv", edit)


def utf8_file_cut_inside_a_character(folder):
    """A UTF-8 file cut inside the last character of its last line."""
    text = (folder / "矛盾纠纷.csv").read_bytes().decode("gb18030").rstrip("\r\n")
    rewrite(folder, "矛盾纠纷.csv", text[:-1].encode("utf-8") + text[-1].encode("utf-8")[:2])


def patrol_ended_after_the_export_was_made(folder):
    def edit(frame):
        frame.loc[10, ["开始时间", "结束时间"]] = ["2022-11-30 23:00:00", "2022-12-01 05:00:00"]
        return frame
    edit_csv(folder, "巡查记录.csv", edit)


def visit_after_the_month(folder):
    edit_csv(folder, "特殊人群走访.csv", _set("走访时间", 4, "2022-12-01 10:00:00"))


def row_with_an_unquoted_comma(folder):
    """A value holding a comma without quotes: the row has a field more than the header."""
    def edit(text):
        lines = text.split("\n")
        lines[4] = lines[4].rstrip("\r") + ",多余\r"
        return "\n".join(lines)
    edit_text(folder, "矛盾纠纷.csv", edit)


def booleans_written_by_excel(folder):
    """TRUE/FALSE where the platform writes 是/否 (Excel re-saved the file): the mapping's words."""
    def edit(frame):
        frame.loc[:20, "是否有效"] = frame.loc[:20, "是否有效"].map({"是": "TRUE", "否": "FALSE"})
        return frame
    edit_csv(folder, "事件.csv", edit)


def yes_no_as_y_n(folder):
    edit_csv(folder, "矛盾纠纷.csv", lambda f: f.assign(是否化解=f["是否化解"].map({"是": "Y", "否": "N"})))


def blank_lines_at_the_end(folder):
    edit_text(folder, "事件流转.csv", lambda text: text + "\r\n\r\n")


def empty_extra_sheet(folder):
    edit_book(folder, "组织机构.xlsx", lambda book: book.create_sheet("Sheet2"))


def header_with_a_space(folder):
    edit_csv(folder, "事件流转.csv", lambda f: f.rename(columns={"流转编号": "流转 编号"}))


def person_id_collides_with_worker_id(folder):
    """A special-population member whose id is a grid worker's (visits name both)."""
    edit_sheet(folder, "特殊人群.xlsx", lambda sheet: setattr(sheet["A3"], "value", "W360502000001"))


def title_row_above_a_workbooks_header(folder):
    def edit(sheet):
        sheet.insert_rows(1)
        sheet["A1"] = "渝水区网格员花名册"
    edit_sheet(folder, "网格员.xlsx", edit)


# --- hostile exports: nothing in them reads, writes or prints outside the month (gate.py) ---------

def _listed(folder, name: str) -> None:
    """List `name` in the manifest as the file of 附加分 (its entry changed, nothing else)."""
    def edit(manifest):
        next(e for e in manifest["files"] if e["file"] == "附加分.csv")["file"] = name
    edit_manifest(folder, edit)


def manifest_names_an_absolute_path(folder):
    _listed(folder, "/etc/passwd")


def manifest_names_a_parent_path(folder):
    (folder.parent / "canary.csv").write_text("outside,the,export\n", encoding="utf-8")
    _listed(folder, "../canary.csv")


def manifest_lists_dev_zero(folder):
    _listed(folder, "/dev/zero")


def nul_in_a_manifest_name(folder):
    _listed(folder, "附加分\x00.csv")


def export_id_leaves_the_archive(folder):
    edit_manifest(folder, lambda m: m.update(export_id="../../outside"))


def symlink_in_the_export(folder):
    """A listed file that is a link to a file outside the export."""
    (folder.parent / "canary.csv").write_text("outside,the,export\n", encoding="utf-8")
    (folder / "附加分.csv").unlink()
    (folder / "附加分.csv").symlink_to(folder.parent / "canary.csv")


def fifo_in_the_export(folder):
    (folder / "附加分.csv").unlink()
    os.mkfifo(folder / "附加分.csv")


def file_name_not_utf8(folder):
    """A file whose name is bytes that are not UTF-8 (a tool that wrote it in GBK)."""
    with open(os.path.join(os.fsencode(folder), "附件.txt".encode("gbk")), "wb") as handle:
        handle.write(b"x")


def file_name_with_a_line_break(folder):
    """A file whose name holds a line break and a forged report line."""
    (folder / "说明\n2022-11 导出 校验通过.txt").write_text("x", encoding="utf-8")


def file_present_but_not_listed(folder):
    edit_manifest(folder, lambda m: m.update(files=[e for e in m["files"] if e["file"] != "附加分.csv"]))


def listed_file_absent_beside_an_unlisted_one(folder):
    """矛盾纠纷.csv saved again as 矛盾纠纷(1).csv: the manifest still lists the first name."""
    (folder / "矛盾纠纷.csv").rename(folder / "矛盾纠纷(1).csv")


def nul_inside_a_cell(folder):
    edit_csv(folder, "事件.csv", _set("无效原因", 5, "重复\x00上报"))


def _raw_xml_text(folder, file_name: str, old: str, new: str) -> None:
    """Replace a text in a workbook's XML parts as it is stored (openpyxl refuses control
    characters; the XLSX escape `_x001B_` carries them, as some exporters write them)."""
    path = folder / file_name
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out, found = io.BytesIO(), False
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if old.encode("utf-8") in data:
                data, found = data.replace(old.encode("utf-8"), new.encode("utf-8"), 1), True
            target.writestr(item, data)
    assert found, old
    rewrite(folder, file_name, out.getvalue())


def control_characters_in_an_org_name(folder):
    edit_xlsx(folder, "组织机构.xlsx", _set("机构名称", 3, "ORGNAMEMARK"))
    _raw_xml_text(folder, "组织机构.xlsx", "ORGNAMEMARK", "水北镇_x001B_[2J_x0007_")


def cell_over_the_limit(folder):
    edit_xlsx(folder, "组织机构.xlsx", _set("机构名称", 3, "长" * 20_000))


def line_over_the_readers_limit(folder):
    edit_csv(folder, "事件.csv", _set("无效原因", 2, "长" * 1_000_000))


def header_of_200000_columns(folder):
    edit_text(folder, "附加分.csv", lambda text: text.replace("\r\n", "," + ",".join(f"c{i}" for i in range(200_000)) + "\r\n", 1))


def deadline_before_report(folder):
    def edit(frame):
        frame.loc[6, "办理时限"] = str(pd.Timestamp(frame.loc[6, "上报时间"]) - pd.Timedelta(days=2))
        return frame
    edit_csv(folder, "事件.csv", edit)


def placeholder_epoch_time(folder):
    edit_csv(folder, "事件流转.csv", _set("流转时间", 1, "1970-01-01 08:00:00"))


def org_code_with_a_path_separator(folder):
    edit_csv(folder, "管理员登录.csv", _set("机构编码", 3, "../../360502001"))


def mixed_line_ends(folder):
    """Lines of one file ending partly in CRLF, partly in LF (two tools wrote it): read."""
    def edit(text):
        lines = text.split("\r\n")
        return "\r\n".join(lines[:10]) + "\r\n" + "\n".join(lines[10:])
    edit_text(folder, "巡查记录.csv", edit)


CASES = {f.__name__: f for f in (
    gbk_file_as_utf8_label, utf8_file_read_as_gbk, bom_added, bom_doubled,
    header_renamed, header_duplicated, extra_column, merged_header_cells, empty_file, header_only,
    truncated_last_line, checksum_mismatch, missing_file, unknown_extra_file, corrupt_workbook,
    manifest_of_another_month, manifest_row_count_differs, manifest_not_json,
    text_in_number, bad_date, excel_serial_date, excel_serial_date_in_workbook, unknown_yes_no_word,
    required_cell_empty, formula_in_name, bad_code_value, header_row_repeated, online_minutes_over_a_day,
    duplicate_id, worker_id_collides_with_org_code, unknown_worker, unknown_grid, unknown_org,
    transfer_of_unknown_event, visit_unknown_person,
    adjustment_for_a_scheme_not_in_force, export_of_another_district,
    event_outside_the_month, closed_before_reported, negative_patrol, patrol_30_hours,
    timestamp_with_offset, cut_inside_last_value, cut_inside_a_character, carried_over_reported_after_the_month,
    closed_after_the_export_was_made, worker_in_a_village, thousands_separators, org_unit_of_another_district,
    formula_like_names, header_with_half_width_brackets, title_row_above_the_header, data_on_the_second_sheet,
    codes_in_scientific_notation, other_date_spellings, utf8_file_cut_inside_a_character,
    patrol_ended_after_the_export_was_made, visit_after_the_month, row_with_an_unquoted_comma,
    booleans_written_by_excel, yes_no_as_y_n, blank_lines_at_the_end, empty_extra_sheet, header_with_a_space,
    person_id_collides_with_worker_id, title_row_above_a_workbooks_header,
    manifest_names_an_absolute_path, manifest_names_a_parent_path, manifest_lists_dev_zero, nul_in_a_manifest_name,
    export_id_leaves_the_archive, symlink_in_the_export, fifo_in_the_export, file_name_not_utf8, file_name_with_a_line_break,
    file_present_but_not_listed, listed_file_absent_beside_an_unlisted_one, nul_inside_a_cell,
    control_characters_in_an_org_name, cell_over_the_limit, line_over_the_readers_limit, header_of_200000_columns,
    deadline_before_report, placeholder_epoch_time, org_code_with_a_path_separator, mixed_line_ends,
)}
