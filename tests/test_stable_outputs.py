"""The same content renders to the same bytes at any time: DOCX and XLSX restamped with the month's
end, and the PDF (Typst) dated the month's end, with no random identifier. Files are made a second
apart, so a clock time left anywhere in them would show."""
from __future__ import annotations

import time

from docx import Document
from openpyxl import Workbook

from gridpulse.files.stable import month_end_stamp, restamp_zip

PERIOD = "2022-11"


def _docx(path):
    document = Document()
    document.add_paragraph("关于2022年11月份全区综治信息平台运行情况的通报")
    document.save(str(path))


def _xlsx(path):
    book = Workbook()
    book.active.append(["排名", "单位", "总分"])
    book.active.append([1, "界水乡", 95.5])
    book.save(path)


def _pdf(path):
    from gridpulse.bulletin.document import Bulletin, Letterhead, Paragraph, Table
    from gridpulse.bulletin.figures import Register
    from gridpulse.bulletin.typst_writer import write_pdf

    table = Table("考核得分", ["排名", "单位", "总分"], [["1", "界水乡", "95.50"]], numeric_from=2)
    write_pdf(Bulletin("yushui", PERIOD, ["关于2022年11月份", "运行情况的通报"],
                       Letterhead("渝水区综治中心", "2022年12月5日", "渝水区综治中心", "2022年12月5日"), "各单位",
                       [Paragraph("渝水区综治中心 2022年11月"), table], "考核内容", [], Register(PERIOD)), path)


def test_docx_xlsx_and_pdf_are_the_same_bytes_a_second_later(tmp_path):
    for suffix, write in ((".docx", _docx), (".xlsx", _xlsx), (".pdf", _pdf)):
        first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        write(first)
        time.sleep(1.1)
        write(second)
        if suffix != ".pdf":
            for path in (first, second):
                restamp_zip(path, month_end_stamp(PERIOD))
        assert first.read_bytes() == second.read_bytes(), suffix
