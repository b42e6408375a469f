"""The steps of one month, as plain functions. The DAG's tasks and the CLI call these same
functions, so a step can be run and debugged by hand, and tests can run a step without Airflow."""
from __future__ import annotations

from pathlib import Path

from gridpulse import config
from gridpulse.period import Period
from gridpulse.sources import local


def export_ready(period: str) -> bool:
    """Whether the month's export is complete in the configured source."""
    return local.export_ready(config.paths().source, str(Period.parse(period)), config.manifest_name())


def archive(period: str) -> str:
    """Copy the month's export into the archive as received; return the archived folder."""
    from gridpulse.sources.archive import archive_export

    period = str(Period.parse(period))
    incoming = local.month_folder(config.paths().source, period)
    if not export_ready(period):
        raise FileNotFoundError(f"{period} 的导出尚未到达：{incoming / config.manifest_name()} 不存在 (the export has not arrived)")
    return str(archive_export(incoming, config.paths().archive, period, config.manifest_name()))


def validate(period: str, archived: str) -> str:
    """Validate the archived export; on failure it is quarantined with a report and this raises."""
    from gridpulse.validate.check import validate_export

    return str(validate_export(Path(archived), period))


def load(period: str, archived: str) -> dict[str, int]:
    """Replace the month in the warehouse's raw schema by the archived export."""
    from gridpulse.load.month import load_export

    return load_export(Path(archived), period)


def transform(period: str) -> None:
    """Build the month's rows of staging, intermediate and marts with dbt, with every test
    (every month when `period` is empty)."""
    from gridpulse.transform.dbt import build

    build(str(Period.parse(period)) if period else None)


def publish(period: str) -> dict[str, str]:
    """Write output/<period>/ from the marts."""
    from gridpulse.publish.outputs import publish_outputs

    return publish_outputs(period)


def run_month(period: str) -> dict[str, str]:
    """Every step in order, as the DAG runs them."""
    archived = archive(period)
    validate(period, archived)
    load(period, archived)
    transform(period)
    return publish(period)
