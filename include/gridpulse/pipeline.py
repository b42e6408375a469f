"""The steps of one month, as plain functions. The DAG's tasks and the CLI call these same
functions, so a step can be run and debugged by hand, and tests can run a step without Airflow.

The month arrives as a Period: the CLI parses it from its arguments, a DAG task from the text
resolve_period passed on; nothing below parses it again."""
from __future__ import annotations

import logging
import time
from pathlib import Path

from gridpulse import config, crashpoints
from gridpulse.period import Period

log = logging.getLogger(__name__)  # what each step did, for the task log and the CLI


def export_ready(period: Period) -> bool:
    """Whether the month's export is complete in the configured source (local, http or sftp)."""
    from gridpulse.sources import configured

    ready = configured.export_ready(str(period))
    # the sensor's log says where it looks and what is missing, not only that it poked
    log.info("%s %s export: %s", "Found" if ready else "Waiting for", period, configured.awaited(str(period), ready))
    return ready


def archive(period: Period) -> str:
    """Pull the month from the configured source into the landing folder (a remote source is
    downloaded and checked first), then archive it as received; return the archived folder."""
    from gridpulse.sources import configured
    from gridpulse.sources.archive import archive_export
    from gridpulse.warehouse import owner

    owner.check(config.paths().warehouse)  # another district's folders: refused before anything is written
    incoming = configured.fetch(str(period))
    _warn_if_landing_is_readable(incoming)
    archived = archive_export(incoming, config.paths().archive, str(period), config.manifest_name())
    files = sorted(p for p in archived.iterdir() if p.is_file())
    log.info("archived %s: %d files, %s bytes, in %s", period, len(files), f"{sum(p.stat().st_size for p in files):,}",
             archived)
    return str(archived)


def _warn_if_landing_is_readable(folder: Path) -> None:
    from gridpulse.sources.landing import privacy_warning

    warning = privacy_warning(folder)
    if warning:
        log.warning(warning)


def validate(period: Period, archived: str) -> str:
    """Validate the archived export; on failure it is quarantined with a report and this raises."""
    from gridpulse.validate.check import validate_export

    return str(validate_export(Path(archived), period))


def load(period: Period, archived: str) -> dict[str, int]:
    """Start the building copy of the warehouse (the published file copied, or a new one) and
    replace the month in its raw schema by the archived export."""
    from gridpulse.load.month import load_export
    from gridpulse.warehouse.building import start_build

    loaded = load_export(Path(archived), period, start_build())
    for table, rows in loaded.items():
        log.info("loaded %s: raw.%s %s rows", period, table, f"{rows:,}")
    log.info("loaded %s: %s rows in %d tables into the building copy", period, f"{sum(loaded.values()):,}", len(loaded))
    return loaded


def transform(period: Period | None, archived: str | None = None) -> None:
    """Build the month's rows of staging, intermediate and marts with dbt, with every test
    (every month when `period` is empty). A failing test or model quarantines the month's
    archived export with a report that says why, and nothing is published."""
    from gridpulse.transform.dbt import DbtFailed, build
    from gridpulse.warehouse.building import current_build

    try:
        build(str(period) if period else None, current_build())
    except DbtFailed as failed:
        if not archived:
            raise
        quarantine_failed_build(period, archived, failed.problems)


def quarantine_failed_build(period: Period, archived: str, problems: list | None = None) -> None:
    """A month whose dbt build failed: its export quarantined with a report of the failing tests
    (read from dbt's results unless given), the building copy thrown away; always raises."""
    from gridpulse.quarantine import rejected
    from gridpulse.sources.manifest import read_manifest
    from gridpulse.transform.dbt import dbt_target
    from gridpulse.transform.failures import build_failures
    from gridpulse.warehouse.building import discard_build

    problems = problems or build_failures(dbt_target(config.paths().building), config.paths().building)
    export_id = str(read_manifest(Path(archived), config.manifest_name())["export_id"])
    discard_build()
    raise rejected(Path(archived), config.paths().quarantine, str(period), problems, export_id,
                   stage="dbt 检验", stage_en="dbt's tests")


def publish(period: Period) -> dict[str, str]:
    """Render output/<period>/ from the built marts and reconcile it, then swap in the building
    copy of the warehouse, write its marts as Parquet, then swap in the outputs: analysts never see
    figures the marts do not hold."""
    from gridpulse.publish.outputs import render_following, render_outputs, swap_in_outputs
    from gridpulse.warehouse.building import readable, swap_in
    from gridpulse.warehouse.parquet import export_marts

    render_outputs(str(period), readable())
    changed = render_following(str(period), readable())  # a backfill changes the next month's rank change
    crashpoints.reached("publish_rendered")
    warehouse = swap_in()
    crashpoints.reached("publish_warehouse_swapped")
    for mart, path in export_marts(warehouse).items():  # for tools that cannot open the DuckDB file
        log.info("published %s: %s as Parquet, %s", period, mart, path)
    published = swap_in_outputs(str(period))
    for path in published.values():
        log.info("published %s: %s (%s bytes)", period, path, f"{Path(path).stat().st_size:,}")
    if changed:
        republished = swap_in_outputs(changed)
        log.warning("republished %s: its comparison with %s (上月排名) changed now that %s is loaded; files: %s. "
                    "Deliver it again if it should reach its readers: python -m gridpulse deliver --period %s / "
                    "%s 的与上月比较因载入 %s 而变化，已重新生成并发布",
                    changed, period, period, ", ".join(republished), changed, changed, period)
    return published


def followup(period: Period) -> dict[str, str]:
    """The townships' follow-up lists of the published month, in the restricted folder."""
    from gridpulse.followup import build_followup_lists

    return {township: str(path) for township, path in build_followup_lists(period).items()}


def run_month(period: Period, on_step=None) -> dict[str, str]:
    """Every step in order, as the DAG runs them; `on_step(name, seconds)` hears of each one done."""
    def timed(name: str, function, *args):
        started = time.monotonic()
        result = function(*args)
        if on_step:
            on_step(name, time.monotonic() - started)
        return result

    archived = timed("archive", archive, period)
    crashpoints.reached("after_archive")
    timed("validate", validate, period, archived)
    crashpoints.reached("after_validate")
    timed("load", load, period, archived)
    crashpoints.reached("after_load")
    timed("dbt_build (dbt build: models and tests)", transform, period, archived)
    crashpoints.reached("after_transform")
    return timed("publish", publish, period)


def run_district(code: str, period: Period, wait_seconds: float = 0) -> str:
    """One district of the deployment (GRIDPULSE_DEPLOYMENT) runs its month, holding its own
    folders; return its state: published, refused (quarantined with a report), failed (see the
    log) or not_arrived."""
    from gridpulse import month_lock
    from gridpulse.problems import ExportRejected

    with config.in_district(code) as district:
        if not export_ready(period):
            log.warning("%s %s %s: no export yet / 尚未收到导出", period, district.code, district.name)
            return "not_arrived"
        try:
            with month_lock.holding(str(period), f"districts {code} {period}", wait_seconds, on_wait=log.warning):
                run_month(period)
        except ExportRejected as refused:  # this district's month alone: the others go on
            log.error("%s %s %s refused / 导出未通过: %s", period, district.code, district.name, refused)
            return "refused"
        except Exception:  # a district that fails otherwise (busy, a bug) does not stop the others either
            log.exception("%s %s %s failed / 运行失败", period, district.code, district.name)
            return "failed"
    return "published"


def run_districts(period: Period, codes: list[str] | None = None, jobs: int = 1) -> dict[str, str]:
    """Every district of the deployment (or those named) on its own, then the rollup: a district
    that is refused or has not sent its export does not hold back the others. With `jobs` > 1,
    that many districts run at once, each in a process of its own (as Airflow's workers would)."""
    chosen = [d.code for d in config.deployment().districts if codes is None or d.code in codes]
    if jobs > 1:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        # spawned, not forked: a worker starts clean of this process's DuckDB and logging state
        with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
            states = dict(zip(chosen, pool.map(run_district, chosen, [period] * len(chosen))))
    else:
        states = {code: run_district(code, period) for code in chosen}
    rollup(period)
    return states


def rollup(period: Period) -> dict[str, str]:
    """The deployment's rollup of the month from what its districts have published so far."""
    from gridpulse.rollup.publish import publish_rollup
    from gridpulse.rollup.status import PUBLISHED, month_states

    deployment = config.deployment()
    states = month_states(deployment, str(period))
    for month in states:  # the rollup's log says where each district stands, as its bulletin does
        log.info("%s %s（%s）: %s / %s", period, month.district.name, month.district.code, month.state, month.state_zh)
    waiting = [f"{m.district.name}（{m.district.code}）" for m in states if m.state != PUBLISHED]
    log.info("%d of %d districts published %s%s", len(states) - len(waiting), len(states), period,
             f"; not yet: {', '.join(waiting)} (named missing in the rollup; it runs again when one publishes)"
             if waiting else "")
    published = publish_rollup(deployment, str(period))
    for path in published.values():
        log.info("published rollup %s: %s", period, path)
    return published


def delivery_enabled() -> bool:
    """Delivery is on unless delivery.yml says `enabled: false` or GRIDPULSE_DELIVERY=off (the
    demo and most tests: they have no mail server or robots to deliver to)."""
    import os

    from gridpulse.delivery import settings

    return os.environ.get("GRIDPULSE_DELIVERY", "on").lower() != "off" and settings.delivery().get("enabled", True)


def deliver(period: Period, extra_attachments: dict | None = None, resend_uncertain: bool = False) -> dict:
    """Send the published month's bulletin and workbook by email and a summary to the group robots
    (include/config/delivery.yml); a retry sends only what has not gone yet."""
    from gridpulse.delivery.deliver import deliver_month

    report = deliver_month(period, extra_attachments, resend_uncertain)
    log.info("delivered %s: %s", period, report)
    return {"bulletin_id": report.bulletin_id, "sent": report.sent, "already_sent": report.already_sent,
            "uncertain": report.uncertain, "skipped": report.skipped}


def deliver_rollup(period: Period, resend_uncertain: bool = False) -> dict:
    """Send the deployment's rollup to the city's (or province's) recipients (the deployment's `delivery`)."""
    from gridpulse.delivery.rollup import deliver_rollup as send

    report = send(config.deployment(), str(period), resend_uncertain)
    log.info("delivered rollup %s: %s", period, report)
    return {"bulletin_id": report.bulletin_id, "sent": report.sent, "already_sent": report.already_sent,
            "uncertain": report.uncertain, "skipped": report.skipped}


def alert_failure(task_id: str, period: str, error: BaseException | str) -> list:
    """Tell the ops list what failed, for which month, and what to do (include/config/alerts.yml)."""
    from gridpulse.delivery.alerts import send_failure_alert

    return send_failure_alert(task_id, period, error)
