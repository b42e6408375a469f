"""Outputs that are the same bytes whenever the same marts are rendered.

DOCX and XLSX are zip archives: the zip stamps each part with the clock, and python-docx and
openpyxl write the save time into docProps/core.xml (the PDF's date is the timestamp
bulletin/typst_writer.py gives Typst). A re-run after a crash must give the outputs of an
uninterrupted run, and a published file must not change when nothing in it did; so every stamp
is set to the end of the assessed month, the moment the figures describe.
"""
from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

from gridpulse.period import Period

ZIPPED_SUFFIXES = (".docx", ".xlsx")
CORE_PROPERTIES = "docProps/core.xml"
_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*")


def month_end_stamp(period: str | Period) -> datetime:
    """Midnight at the start of the month after `period` (a Period, or its text as a file's
    folder names it)."""
    first = (period if isinstance(period, Period) else Period.parse(period)).next_first_day
    return datetime(first.year, first.month, first.day)


def restamp_zip(path: Path, stamp: datetime) -> None:
    """Rewrite a DOCX/XLSX with every zip entry and core-properties date set to `stamp`."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            if info.filename == CORE_PROPERTIES:
                data = _DATES.sub(rb"\g<1>" + iso, data)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, data)


def restamp_outputs(folder: Path, period: str) -> None:
    stamp = month_end_stamp(period)
    for path in sorted(folder.iterdir()):
        if path.suffix in ZIPPED_SUFFIXES:
            restamp_zip(path, stamp)

