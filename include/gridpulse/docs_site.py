"""`make docs`: dbt's documentation site of the project, and a page of the export's validation
suites (what every export is checked against), both as static files under output/docs/.

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

The suites' page (suites.html) is written here, not by Great Expectations' data docs: those load
Bootstrap, jQuery and their table script from CDNs, so without the internet the page is unstyled
and its list of suites empty. This one is plain HTML with its style inside: it reads the same from
a file on a machine that has never been online.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from html import escape
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


SUITES_STYLE = ("body{font-family:'Noto Sans SC','Microsoft YaHei',sans-serif;margin:24px;color:#222;max-width:1100px}"
                "table{border-collapse:collapse;margin:8px 0 24px;width:100%}td,th{border:1px solid #ccc;"
                "padding:3px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}code{font-size:13px}"
                ".note{color:#666}")


def _arguments(kwargs: dict) -> str:
    shown = {key: value for key, value in kwargs.items() if key != "column"}
    return escape(json.dumps(shown, ensure_ascii=False)) if shown else ""


def _suite_section(suite: dict) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(str(e['kwargs'].get('column', '')))}</code></td><td><code>{escape(e['type'])}</code></td>"
        f"<td><code>{_arguments(e['kwargs'])}</code></td><td>{escape(e.get('meta', {}).get('problem_zh', ''))}</td></tr>"
        for e in suite["expectations"])
    return (f'<h2 id="{escape(suite["name"])}">{escape(suite["name"])}</h2>'
            f"<p>{len(suite['expectations'])} expectations</p>"
            "<table><thead><tr><th>列 column</th><th>检查 expectation</th><th>参数 arguments</th>"
            f"<th>不符时报告 problem reported</th></tr></thead><tbody>{rows}</tbody></table>")


def build_suites_page(out: Path) -> Path:
    """output/docs/suites.html: every suite of expectations/ (what each export is checked against)."""
    suites = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(config.EXPECTATIONS_DIR.glob("*.json"))]
    contents = "".join(f'<li><a href="#{escape(s["name"])}">{escape(s["name"])}</a> ({len(s["expectations"])})</li>'
                       for s in suites)
    body = ("<h1>导出校验规则 The export's validation suites</h1>"
            '<p class="note">Great Expectations suites in expectations/, generated from include/config/export_contract.yml '
            "(python -m gridpulse suites). A failing row is reported with its file, row and column, and the month "
            f"is quarantined.</p><ul>{contents}</ul>" + "".join(_suite_section(s) for s in suites))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
                   f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                   f"<title>导出校验规则</title><style>{SUITES_STYLE}</style></head><body>{body}</body></html>",
                   encoding="utf-8")
    return out


def main() -> int:
    root = docs_root()
    print(f"dbt docs (open this file in a browser): {build_dbt_docs(root / 'dbt')}")
    print(f"The export's validation suites: {build_suites_page(root / 'suites.html')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
