"""The 数据质量提示 annex of the internal edition: this month's integrity signals
(marts.rpt_integrity_signals_monthly), one table per signal, each with its plain-Chinese
explanation, and the caveat that a signal is a prompt to look, not a verdict.

Off by default: the edition sent to the townships never carries it. A district switches it on
for its internal edition with `integrity_annex: true` in its `district:` settings (or bulletin.yml
for every district). Every figure goes through the register and is reconciled like the rest."""
from __future__ import annotations

from gridpulse.bulletin.document import Heading, Paragraph, Table
from gridpulse.bulletin.month import Month

MART = "rpt_integrity_signals_monthly"
KEY = ("period", "signal_id", "unit_id")
IDS_SHOWN = 5  # record ids printed per unit; the mart holds them all


def switched_on(district: dict, conf: dict) -> bool:
    return bool(district.get("integrity_annex", conf.get("integrity_annex", False)))


def _ids(row: dict, records) -> str:
    ids = [i for i in str(row.get("record_ids") or "").split(",") if i]
    shown = "、".join(ids[:IDS_SHOWN])
    return f"{shown}等{records}条" if len(ids) > IDS_SHOWN else shown


def _unit(month: Month, row: dict) -> str:
    """A grid or other org unit by its name (checked like every name); a worker by platform id only."""
    if row["unit_level"] == "worker":
        return f"网格员{row['unit_id']}"
    return str(month.name(row["unit_id"]))


def _township(month: Month, row: dict) -> str:
    township = row.get("township_id")
    return str(month.name(township)) if township and township == township else "/"


def annex(month: Month) -> list:
    """The annex's blocks: heading, caveat, and per signal found its explanation and table."""
    signals = month.marts.frames["signals"]
    take = lambda r, c, kind="average": month.register.take(MART, r, KEY, c, kind)  # noqa: E731
    blocks = [Heading("数据质量提示（内部版，不对外印发）", 1)]
    if signals.empty:
        return blocks + [Paragraph("本月各项数据质量提示均未达到提示阈值。")]
    blocks.append(Paragraph(str(signals.caveat_zh.iloc[0])))
    for n, (_, rows) in enumerate(signals.groupby(["display_order", "signal_id"], sort=True), start=1):
        rows = rows.to_dict("records")
        first = rows[0]
        blocks += [Heading(f"（{n}）{first['label_zh']}", 2), Paragraph(f"{first['explanation_zh']}计算口径：{first['score_zh']}；"
                                                                        f"参照值：{first['reference_zh']}。")]
        table_rows = []
        for row in rows:
            records = take(row, "records", "count")
            table_rows.append([_unit(month, row), _township(month, row), str(take(row, "measured_value")),
                               str(take(row, "reference_value")), str(take(row, "strength")), str(records), _ids(row, records)])
        blocks.append(Table(f"{first['label_zh']}（{len(rows)}个）", ["单位", "所属乡镇（街道）", "测量值", "参照值", "强度", "记录数", "涉及记录"],
                            table_rows, numeric_from=2, wrap_column=6))
    return blocks
