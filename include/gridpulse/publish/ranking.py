"""The ranking table of a scheme as staff read it: one row per unit, one column per item."""
from __future__ import annotations

import pandas as pd

from gridpulse import config
from gridpulse.bulletin.build import number_style
from gridpulse.bulletin.build import settings as bulletin_settings
from gridpulse.warehouse.marts import MonthMarts


def item_header(label_zh: str, weight: float) -> str:
    return f"{label_zh}（{weight:g}）"


def ranking_table(marts: MonthMarts, scheme_id: str) -> pd.DataFrame:
    """Columns in the printed order: 排名, 机构编码, 单位, the items, 总分."""
    items = marts.items[marts.items.scheme_id == scheme_id].sort_values("display_order")
    scores = marts.scores[marts.scores.scheme_id == scheme_id]
    wide = scores.pivot(index="org_id", columns="item_id", values="score")
    ranking = marts.ranking[marts.ranking.scheme_id == scheme_id]
    table = pd.DataFrame({"排名": ranking["rank"].astype(int).values,
                          "机构编码": ranking["org_id"].values,
                          "单位": ranking["org_name"].values})
    decimals, weights = {}, {}
    for item in items.itertuples():
        header = item_header(item.label_zh, item.weight)
        table[header] = wide.loc[ranking["org_id"], item.item_id].values
        decimals[header] = int(item.decimals)
        if item.weight > 0:
            weights[header] = float(item.weight)
    table["总分"] = ranking["total_score"].values
    table.attrs["decimals"] = decimals | {"总分": 2}  # printed decimals of each score column
    # the bulletin's style for scores (bulletin.yml number_style): the workbook prints as it does
    table.attrs["score_decimals"] = number_style(bulletin_settings(), scheme_id)["score"]
    table.attrs["weights"] = weights                  # a score below its item's weight missed the standard
    table.attrs["period"] = marts.period              # the month, in the sheet's name and printed header
    table.attrs["district"] = config.settings()["district"]["name"]  # in the workbook's title row
    return table
