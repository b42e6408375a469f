"""Scoring schemes: YAML files in include/schemes/, checked on load, loaded as rows into raw.

A scheme file is the only thing a district edits to change its rules; the scoring itself is
generic SQL in dbt over these rows.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from gridpulse.config import SCHEMES_DIR, read_yaml

RULES = {"proportional", "linear_band"}
ITEM_FIELDS = {"item_id", "rule_no", "label_zh", "weight", "indicator_id", "standard", "rule", "band",
               "decimals", "if_undefined", "params", "rule_text_zh"}


class SchemeError(ValueError):
    pass


def _check_item(path: Path, n: int, item: dict) -> None:
    where = f"{path.name}: item {n} ({item.get('item_id', '?')})"
    unknown = set(item) - ITEM_FIELDS
    if unknown:
        raise SchemeError(f"{where}: unknown fields {sorted(unknown)}; allowed: {sorted(ITEM_FIELDS)}")
    for required in ("item_id", "label_zh", "weight", "indicator_id", "rule", "decimals"):
        if item.get(required) is None:
            raise SchemeError(f"{where}: '{required}' is required")
    if item["rule"] not in RULES:
        raise SchemeError(f"{where}: rule '{item['rule']}' is not one of {sorted(RULES)}")
    if item["rule"] == "proportional" and not (isinstance(item.get("standard"), (int, float)) and item["standard"] > 0):
        raise SchemeError(f"{where}: a proportional rule needs a standard > 0")
    if item["rule"] == "linear_band":
        band = item.get("band") or {}
        if not (isinstance(band.get("lo"), (int, float)) and isinstance(band.get("hi"), (int, float)) and band["lo"] < band["hi"]):
            raise SchemeError(f"{where}: a linear_band rule needs band: {{lo: ..., hi: ...}} with lo < hi")
    if not (isinstance(item["weight"], (int, float)) and item["weight"] > 0):
        raise SchemeError(f"{where}: weight must be a positive number")
    if item.get("if_undefined", "zero") not in ("full", "zero"):
        raise SchemeError(f"{where}: if_undefined must be 'full' or 'zero'")


def load_scheme(scheme_id: str, folder: Path = SCHEMES_DIR) -> dict:
    path = folder / f"{scheme_id}.yml"
    scheme = read_yaml(path)
    if scheme.get("scheme_id") != scheme_id:
        raise SchemeError(f"{path.name}: scheme_id must be '{scheme_id}' (the file name)")
    items = scheme.get("items") or []
    if not items:
        raise SchemeError(f"{path.name}: a scheme needs items")
    seen = set()
    for n, item in enumerate(items, start=1):
        _check_item(path, n, item)
        if item["item_id"] in seen:
            raise SchemeError(f"{path.name}: item_id '{item['item_id']}' appears twice")
        seen.add(item["item_id"])
    return scheme


def scheme_frames(scheme_ids: list[str], folder: Path = SCHEMES_DIR) -> dict[str, pd.DataFrame]:
    """The rows of raw.schemes, raw.scheme_items and raw.scheme_params."""
    schemes, items, params = [], [], []
    for scheme_id in scheme_ids:
        scheme = load_scheme(scheme_id, folder)
        schemes.append({"scheme_id": scheme_id, "title_zh": scheme.get("title_zh"), "org_level": scheme["org_level"],
                        "valid_from": str(scheme.get("valid_from") or ""), "valid_to": scheme.get("valid_to") and str(scheme["valid_to"])})
        for order, item in enumerate(scheme["items"], start=1):
            band = item.get("band") or {}
            items.append({"scheme_id": scheme_id, "item_id": item["item_id"], "display_order": order,
                          "rule_no": item.get("rule_no", order), "label_zh": item["label_zh"], "weight": float(item["weight"]),
                          "indicator_id": item["indicator_id"], "standard": item.get("standard"), "rule": item["rule"],
                          "band_lo": band.get("lo"), "band_hi": band.get("hi"), "decimals": int(item["decimals"]),
                          "if_undefined": item.get("if_undefined", "zero"), "rule_text_zh": item.get("rule_text_zh")})
            for name, value in (item.get("params") or {}).items():
                params.append({"scheme_id": scheme_id, "item_id": item["item_id"], "param_name": name, "param_value": float(value)})
    return {"schemes": pd.DataFrame(schemes), "scheme_items": pd.DataFrame(items),
            "scheme_params": pd.DataFrame(params, columns=["scheme_id", "item_id", "param_name", "param_value"])}


SCHEME_COLUMNS = {
    "schemes": {"scheme_id": "VARCHAR", "title_zh": "VARCHAR", "org_level": "VARCHAR", "valid_from": "VARCHAR", "valid_to": "VARCHAR"},
    "scheme_items": {"scheme_id": "VARCHAR", "item_id": "VARCHAR", "display_order": "INTEGER", "rule_no": "INTEGER",
                     "label_zh": "VARCHAR", "weight": "DOUBLE", "indicator_id": "VARCHAR", "standard": "DOUBLE",
                     "rule": "VARCHAR", "band_lo": "DOUBLE", "band_hi": "DOUBLE", "decimals": "INTEGER",
                     "if_undefined": "VARCHAR", "rule_text_zh": "VARCHAR"},
    "scheme_params": {"scheme_id": "VARCHAR", "item_id": "VARCHAR", "param_name": "VARCHAR", "param_value": "DOUBLE"},
}
