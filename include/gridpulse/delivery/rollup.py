"""The deployment's rollup to the city's (or province's) recipients: the rollup bulletin and
workbook, with the top and bottom units of the cross-district ranking, through the same channels
and delivery log as a district's month. A district's own files go only to its own recipients
(deliver.deliver_month, run as that district)."""
from __future__ import annotations

import duckdb

from gridpulse.config import Deployment
from gridpulse.delivery import settings
from gridpulse.delivery.deliver import DeliveryReport, deliver_package
from gridpulse.delivery.log import DeliveryLog
from gridpulse.delivery.month import package_of, published_files, top_and_bottom


def rollup_summary(deployment: Deployment, period: str, units: int) -> tuple[list[dict], list[dict]]:
    """Top and bottom units of the first scheme ranked across districts (none when none is shared)."""
    con = duckdb.connect(str(deployment.rollup_warehouse), read_only=True)
    try:
        rows = con.execute(
            "SELECT scheme_id, org_name, total_score, rollup_rank FROM marts.rpt_rollup_ranking_monthly "
            "WHERE period = ? ORDER BY scheme_id, rollup_rank, district_id, org_id", [period]).fetchall()
    finally:
        con.close()
    return top_and_bottom([r for r in rows if r[0] == rows[0][0]] if rows else [], units)


def deliver_rollup(deployment: Deployment, period: str, resend_uncertain: bool = False) -> DeliveryReport:
    if deployment.delivery is None:
        raise LookupError(f"{deployment.file} names no `delivery` file for the rollup's recipients")
    conf = settings.delivery_in(deployment.delivery)
    files = published_files(deployment.rollup_output / period, period, conf, deployment.name)
    summary = rollup_summary(deployment, period, int(conf["summary_units"]))
    journal = DeliveryLog(deployment.data_dir / "rollup" / "delivery" / "log.sqlite")
    return deliver_package(package_of(period, files, summary, conf, deployment.name), {}, journal, resend_uncertain)
