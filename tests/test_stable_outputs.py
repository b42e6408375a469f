"""The same content renders to the same bytes at any time: DOCX and XLSX restamped with the month's
end, and the PDF's embedded font subsets stamped likewise (SOURCE_DATE_EPOCH). Files are made a
second apart, so a clock time left anywhere in them would show."""
from __future__ import annotations

import time

from docx import Document
from openpyxl import Workbook
from pylopdf_fonts_zh_cn import serif_path

from gridpulse.files.stable import month_end_stamp, restamp_zip, source_date_epoch

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
    from weasyprint import HTML

    html = f"<style>@font-face {{font-family: s; src: url(file://{serif_path()})}} body {{font-family: s}}</style><p>渝水区综治中心 2022年11月</p>"
    with source_date_epoch(PERIOD):
        HTML(string=html).write_pdf(str(path), pdf_identifier=b"yushui2022-11")


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
