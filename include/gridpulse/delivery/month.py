"""What a month's delivery carries: the published files, their digests, and the ranking summary
(top and bottom units) read from the published warehouse."""
from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

import duckdb

from gridpulse import config
from gridpulse.delivery import settings
from gridpulse.numbers import fmt
from gridpulse.period import Period
from gridpulse.sources.manifest import sha256_of


@dataclass(frozen=True)
class Attachment:
    path: Path
    name: str      # the name the recipient sees (Chinese; RFC 2231 in the MIME header)
    sha256: str

    @property
    def mime_type(self) -> tuple[str, str]:
        kind = mimetypes.guess_type(self.path.name)[0] or "application/octet-stream"
        return tuple(kind.split("/", 1))


@dataclass(frozen=True)
class MonthPackage:
    period: str
    bulletin_id: str              # the month and a digest of the files: a corrected month is a new bulletin
    attachments: list[Attachment]
    top: list[dict]               # {rank, name, score} of the best units, best first
    bottom: list[dict]            # the lowest units, in rank order
    conf: dict                    # the delivery settings it goes out under (recipients, messages)
    place: str | None = None      # who the messages name as sender's area: the district, or a rollup's city

    def values(self) -> dict:
        values = settings.month_values(self.period, self.place) | {"top": self.top, "bottom": self.bottom,
                                                                   "sender_name": self.conf["sender_name"]}
        return values | {"where_to_get": settings.render(self.conf["where_to_get"], **values)}


def attachment(path: Path, name: str | None = None) -> Attachment:
    if not path.is_file():
        raise FileNotFoundError(f"要投递的文件不存在：{path} (the file to deliver is missing)")
    return Attachment(path, name or path.name, sha256_of(path))


def published_files(folder: Path, period: str, conf: dict, place: str | None = None) -> list[Attachment]:
    """The files `attachments` lists, from a published folder, with the names recipients see."""
    values = settings.month_values(period, place)
    return [attachment(folder / item["file"], settings.render(item["name"], **values)) for item in conf["attachments"]]


def package_of(period: str, files: list[Attachment], summary: tuple[list, list], conf: dict,
               place: str | None = None) -> MonthPackage:
    digest = hashlib.sha256("".join(a.sha256 for a in files).encode()).hexdigest()[:16]
    return MonthPackage(period, f"{period}:{digest}", files, *summary, conf, place)


def ranking_summary(period: str, units: int) -> tuple[list[dict], list[dict]]:
    """The top and bottom `units` of the month's first scheme in force (the bulletin's scheme)."""
    con = duckdb.connect(str(config.paths().warehouse), read_only=True)
    try:
        ranking = con.execute("SELECT scheme_id, org_name, total_score, rank FROM marts.rpt_ranking_monthly "
                              "WHERE period = ? ORDER BY rank, org_id", [period]).fetchall()
    finally:
        con.close()
    present = [s for s in config.scheme_ids() if any(r[0] == s for r in ranking)]
    if not present:
        raise LookupError(f"marts.rpt_ranking_monthly has no ranking of {period} under the schemes in force")
    return top_and_bottom([r for r in ranking if r[0] == present[0]], units)


def top_and_bottom(ranking: list[tuple], units: int) -> tuple[list[dict], list[dict]]:
    """(scheme, name, score, rank) rows in rank order -> the first and the last `units`, as messages print them."""
    rows = [{"rank": int(r[3]), "name": r[1], "score": fmt(r[2], 2)} for r in ranking]
    return rows[:units], rows[-units:] if rows else []


class MonthNotPublished(LookupError):
    """Delivery of a month that has no published outputs: the message says why and what to do."""


def _published_or_why(period: str) -> Path:
    """The month's published folder, or MonthNotPublished saying whether it was refused (with its
    quarantine report) or never run: a refused month must not end in a missing-file traceback."""
    paths, district = config.paths(), config.settings()["district"]
    folder = paths.output / period
    if (folder / "ranking.csv").is_file():
        return folder
    reports = sorted((paths.quarantine / period).glob("*/validation_report.txt"))
    who = f"{district['name']}（{district['code']}）"
    if reports:
        raise MonthNotPublished(f"{who} {period} 未发布：导出被拒收，没有可投递的通报 (not published: the export was refused; "
                                f"report {reports[-1]}). 修正导出后重新运行该月，再投递。")
    raise MonthNotPublished(f"{who} {period} 未发布：{folder} 没有本月的通报 (not published yet). "
                            f"先运行该月 (python -m gridpulse run --period {period})，再投递。")


def month_package(month: Period) -> MonthPackage:
    period, conf = str(month), settings.delivery()
    files = published_files(_published_or_why(period), period, conf)
    return package_of(period, files, ranking_summary(period, int(conf["summary_units"])), conf)
