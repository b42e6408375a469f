"""`make docs`: dbt's documentation site of the project and Great Expectations' data docs of the
export suites, both as static files under output/docs/ (dbt/ and gx/).

The page to open is dbt/static_index.html: it carries the manifest and catalog inside it, so it
renders from a file. dbt's index.html fetches manifest.json and catalog.json beside it, which a
browser refuses for file:// pages (a headless browser waits on it forever); it is kept for serving
over HTTP. The site's front page is the overview of dbt_project/models/overview.md.

dbt's catalog is read from a scratch copy of the published warehouse, never the file itself, so
making docs cannot hold a lock an analyst or the next run needs. The copy bears the published
file's name: DuckDB names a database after its file, and the docs show each table as
database.schema.table, so the names shown (gridpulse.marts.rpt_ranking_monthly) are the ones
`make sql` accepts as they are. Without a published warehouse
the site still builds, with an empty catalog (descriptions but no column types).
"""
from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path

from gridpulse import config
from gridpulse.transform.dbt import run_dbt

DBT_FILES = ("index.html", "static_index.html", "manifest.json", "catalog.json")


def docs_root() -> Path:
    return config.paths().output / "docs"


def build_dbt_docs(out: Path) -> Path:
    published = config.paths().warehouse
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / published.name
        target = Path(scratch) / "target"
        extra = []
        if published.exists():
            shutil.copyfile(published, copy)
        else:
            extra = ["--empty-catalog"]
        run_dbt("docs", "generate", "--static", "--target-path", str(target), *extra, warehouse=copy)
        for name in DBT_FILES:
            shutil.copyfile(target / name, out / name)
    return out / "static_index.html"


def build_gx_docs(out: Path) -> Path:
    """Data docs of the suites in expectations/ (what every export is checked against)."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx

    with tempfile.TemporaryDirectory() as scratch:
        context = gx.get_context(mode="file", project_root_dir=scratch)
        context.variables.progress_bars = {"globally": False, "metric_calculations": False}
        for path in sorted(config.EXPECTATIONS_DIR.glob("*.json")):
            suite = json.loads(path.read_text(encoding="utf-8"))
            context.suites.add_or_update(gx.ExpectationSuite(name=suite["name"], expectations=suite["expectations"]))
        context.build_data_docs()
        site = Path(scratch) / "gx" / "uncommitted" / "data_docs" / "local_site"
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(site, out)
    return out / "index.html"


def main() -> int:
    root = docs_root()
    print(f"dbt docs (open this file in a browser): {build_dbt_docs(root / 'dbt')}")
    print(f"GX data docs: {build_gx_docs(root / 'gx')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
