"""Scoring schemes: YAML files in include/schemes/, checked on load, loaded as rows into raw.

A scheme file is the only thing a district edits to change its rules; the scoring itself is
generic SQL in dbt over these rows.
"""
from __future__ import annotations

import logging
import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from gridpulse import config
from gridpulse.config import read_yaml, schemes_dir

log = logging.getLogger(__name__)

RULES = {"proportional", "linear_band", "deduction", "threshold", "adjustment"}
ITEM_FIELDS = {"item_id", "rule_no", "label_zh", "group_zh", "weight", "indicator_id", "standard", "rule", "band",
               "deduct", "decimals", "if_undefined", "params", "rule_text_zh"}
ORG_LEVELS = {"township", "grid"}


class SchemeError(ValueError):
    pass


class SchemeNotInForce(SchemeError):
    """A configured scheme has no version in force for the month, and gridpulse.yml says to fail."""


def _number(value, positive: bool = False) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and (value > 0 or not positive)


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
    if item["rule"] in ("proportional", "deduction", "threshold") and not _number(item.get("standard"), positive=item["rule"] == "proportional"):
        raise SchemeError(f"{where}: a {item['rule']} rule needs a standard (a number{' > 0' if item['rule'] == 'proportional' else ''})")
    if item["rule"] == "deduction":
        deduct = item.get("deduct") or {}
        if not (_number(deduct.get("points"), positive=True) and _number(deduct.get("per"), positive=True)):
            raise SchemeError(f"{where}: a deduction rule needs deduct: {{points: ..., per: ...}}, both > 0")
    if item["rule"] == "linear_band":
        band = item.get("band") or {}
        if not (isinstance(band.get("lo"), (int, float)) and isinstance(band.get("hi"), (int, float)) and band["lo"] < band["hi"]):
            raise SchemeError(f"{where}: a linear_band rule needs band: {{lo: ..., hi: ...}} with lo < hi")
    if item["rule"] == "adjustment":
        if item["weight"] != 0:
            raise SchemeError(f"{where}: an adjustment item carries weight 0 (its points come from the export's 附加分 file)")
    elif not _number(item["weight"], positive=True):
        raise SchemeError(f"{where}: weight must be a positive number")
    if item.get("if_undefined", "zero") not in ("full", "zero"):
        raise SchemeError(f"{where}: if_undefined must be 'full' or 'zero'")


MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
VERSION_FIELDS = {"valid_from", "valid_to", "title_zh", "items"}


def _month_field(path: Path, where: str, name: str, value, required: bool) -> str | None:
    """A validity bound as YYYY-MM. A full date is refused rather than read: `valid_from:
    2025-07-01` and `valid_to: 2025-06-30` would each need a guess at which month was meant."""
    if value is None or value == "":
        if required:
            raise SchemeError(f"{path.name}: {where}'{name}' is required (a month, YYYY-MM)")
        return None
    text = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    if not MONTH.fullmatch(text):
        month = text[:7] if MONTH.fullmatch(text[:7]) else "YYYY-MM"
        raise SchemeError(f"{path.name}: {where}{name}: {text} is not a month; a scheme is in force by whole months, "
                          f"write {name}: {month} ({'the first' if name == 'valid_from' else 'the last'} month in force, inclusive)")
    return text


def _check_version(path: Path, n: int | None, version: dict) -> dict:
    where = f"version {n}: " if n else ""
    unknown = set(version) - VERSION_FIELDS
    if n and unknown:
        raise SchemeError(f"{path.name}: {where}unknown fields {sorted(unknown)}; allowed: {sorted(VERSION_FIELDS)}")
    start = _month_field(path, where, "valid_from", version.get("valid_from"), required=bool(n))
    end = _month_field(path, where, "valid_to", version.get("valid_to"), required=False)
    if start and end and end < start:
        raise SchemeError(f"{path.name}: {where}valid_to {end} is before valid_from {start}")
    items = version.get("items") or []
    if not items:
        raise SchemeError(f"{path.name}: {where}a scheme needs items")
    seen = set()
    for number, item in enumerate(items, start=1):
        _check_item(path, number, item)
        if item["item_id"] in seen:
            raise SchemeError(f"{path.name}: {where}item_id '{item['item_id']}' appears twice")
        seen.add(item["item_id"])
    return {"valid_from": start or "", "valid_to": end, "title_zh": version.get("title_zh"), "items": items}


def _versions(path: Path, scheme: dict) -> list[dict]:
    """A scheme's versions in order: `versions:` (each with valid_from, valid_to, items and
    optionally its own title_zh), or the file's own valid_from, valid_to and items as one version."""
    if "versions" not in scheme:
        return [_check_version(path, None, scheme)]
    if "items" in scheme or "valid_from" in scheme:
        raise SchemeError(f"{path.name}: a scheme with versions keeps items, valid_from and valid_to in each version")
    versions = [_check_version(path, n, v or {}) for n, v in enumerate(scheme.get("versions") or [], start=1)]
    if not versions:
        raise SchemeError(f"{path.name}: versions: is empty")
    for n, (before, after) in enumerate(zip(versions, versions[1:]), start=2):
        if not before["valid_to"] or before["valid_to"] >= after["valid_from"]:
            raise SchemeError(f"{path.name}: version {n} starts {after['valid_from']}, but version {n - 1} runs to "
                              f"{before['valid_to'] or 'no end'}: versions follow each other, each ending before the next begins")
    return versions


def load_scheme(scheme_id: str, folder: Path | None = None) -> dict:
    """A scheme checked, with its `versions` in order; its top-level items, valid_from and
    valid_to are those of the latest version (what a reader of the file today means by it). The
    folder is the run's (GRIDPULSE_SCHEMES_DIR as the environment names it now) unless given."""
    path = (folder or schemes_dir()) / f"{scheme_id}.yml"
    scheme = read_yaml(path)
    if scheme.get("scheme_id") != scheme_id:
        raise SchemeError(f"{path.name}: scheme_id must be '{scheme_id}' (the file name)")
    if scheme.get("org_level") not in ORG_LEVELS:
        raise SchemeError(f"{path.name}: org_level must be one of {sorted(ORG_LEVELS)}")
    versions = _versions(path, scheme)
    latest = versions[-1]
    return {**{k: v for k, v in scheme.items() if k not in VERSION_FIELDS | {"versions"}},
            "title_zh": latest["title_zh"] or scheme.get("title_zh"), "valid_from": latest["valid_from"],
            "valid_to": latest["valid_to"], "items": latest["items"],
            "versions": [{**v, "title_zh": v["title_zh"] or scheme.get("title_zh")} for v in versions]}


def scheme_frames(scheme_ids: list[str], folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """The rows of raw.schemes, raw.scheme_items and raw.scheme_params."""
    return frames_of([load_scheme(scheme_id, folder) for scheme_id in scheme_ids])


def frames_of(loaded: list[dict]) -> dict[str, pd.DataFrame]:
    """The raw scheme tables of schemes already loaded and checked: a row of raw.schemes per
    version, its items and params keyed by scheme_id and valid_from."""
    schemes, items, params = [], [], []
    for scheme in loaded:
        scheme_id = scheme["scheme_id"]
        for version in scheme.get("versions") or [scheme]:
            valid_from = str(version.get("valid_from") or "")
            schemes.append({"scheme_id": scheme_id, "title_zh": version.get("title_zh") or scheme.get("title_zh"),
                            "org_level": scheme["org_level"], "valid_from": valid_from,
                            "valid_to": version.get("valid_to") and str(version["valid_to"])})
            for order, item in enumerate(version["items"], start=1):
                items.append(_item_row(scheme_id, valid_from, order, item))
                for name, value in (item.get("params") or {}).items():
                    params.append({"scheme_id": scheme_id, "valid_from": valid_from, "item_id": item["item_id"],
                                   "param_name": name, "param_value": float(value)})
    return {"schemes": pd.DataFrame(schemes), "scheme_items": pd.DataFrame(items),
            "scheme_params": pd.DataFrame(params, columns=list(SCHEME_COLUMNS["scheme_params"]))}


def _item_row(scheme_id: str, valid_from: str, order: int, item: dict) -> dict:
    band, deduct = item.get("band") or {}, item.get("deduct") or {}
    return {"scheme_id": scheme_id, "valid_from": valid_from, "item_id": item["item_id"], "display_order": order,
            "rule_no": item.get("rule_no", order), "label_zh": item["label_zh"], "group_zh": item.get("group_zh"),
            "weight": float(item["weight"]), "indicator_id": item["indicator_id"], "standard": item.get("standard"),
            "rule": item["rule"], "band_lo": band.get("lo"), "band_hi": band.get("hi"),
            "deduct_points": deduct.get("points"), "deduct_per": deduct.get("per"), "decimals": int(item["decimals"]),
            "if_undefined": item.get("if_undefined", "zero"), "rule_text_zh": item.get("rule_text_zh")}


SCHEME_COLUMNS = {
    "schemes": {"scheme_id": "VARCHAR", "title_zh": "VARCHAR", "org_level": "VARCHAR", "valid_from": "VARCHAR", "valid_to": "VARCHAR"},
    "scheme_items": {"scheme_id": "VARCHAR", "valid_from": "VARCHAR", "item_id": "VARCHAR", "display_order": "INTEGER", "rule_no": "INTEGER",
                     "label_zh": "VARCHAR", "group_zh": "VARCHAR", "weight": "DOUBLE", "indicator_id": "VARCHAR", "standard": "DOUBLE",
                     "rule": "VARCHAR", "band_lo": "DOUBLE", "band_hi": "DOUBLE",
                     "deduct_points": "DOUBLE", "deduct_per": "DOUBLE", "decimals": "INTEGER",
                     "if_undefined": "VARCHAR", "rule_text_zh": "VARCHAR"},
    "scheme_params": {"scheme_id": "VARCHAR", "valid_from": "VARCHAR", "item_id": "VARCHAR", "param_name": "VARCHAR", "param_value": "DOUBLE"},
}


def _version_applies(version: dict, period: str) -> bool:
    start, end = str(version.get("valid_from") or ""), version.get("valid_to")
    return start <= period and (not end or period <= str(end))


def version_in_force(scheme: dict, period: str) -> dict | None:
    """The version of a scheme in force in a month (valid_from and valid_to are YYYY-MM,
    inclusive), or None: at most one is, since versions follow each other."""
    return next((v for v in scheme.get("versions") or [scheme] if _version_applies(v, period)), None)


def applies_to(scheme: dict, period: str) -> bool:
    """Whether some version of a scheme is in force in a month."""
    return version_in_force(scheme, period) is not None


# what gridpulse.yml's `schemes_out_of_force` may say, and what it means when it says nothing
OUT_OF_FORCE_POLICIES = ("fail", "warn")
DEFAULT_OUT_OF_FORCE_POLICY = "fail"  # a month scored without one of its schemes must never pass unseen


def _validity_text(scheme: dict) -> str:
    spans = [f"{v.get('valid_from') or '—'} 至 {v.get('valid_to') or '—'}" for v in scheme.get("versions") or [scheme]]
    return "有效期 " + "、".join(spans)


def out_of_force(period: str, folder: Path | None = None) -> list[str]:
    """One sentence per configured scheme that is not in force in the month, saying so."""
    return [f"考核方案 {scheme['scheme_id']}（{scheme.get('title_zh') or scheme['scheme_id']}）{_validity_text(scheme)}，"
            f"{period} 不在有效期内，本月未按该方案评分"
            for scheme in (load_scheme(i, folder) for i in config.scheme_ids()) if not applies_to(scheme, period)]


def out_of_force_policy() -> str:
    policy = str(config.settings().get("schemes_out_of_force", DEFAULT_OUT_OF_FORCE_POLICY))
    if policy not in OUT_OF_FORCE_POLICIES:
        raise SchemeError(f"{config.settings_file().name}: schemes_out_of_force must be one of {list(OUT_OF_FORCE_POLICIES)}, not '{policy}'")
    return policy


def check_in_force(period: str, folder: Path | None = None) -> list[str]:
    """Raise SchemeNotInForce for a configured scheme not in force in the month when the district
    chose to fail; else log each as a warning and return the sentences, for the report and the
    bulletin. A scheme skipped in silence would publish a month that scored nobody under it."""
    found = out_of_force(period, folder)
    if found and out_of_force_policy() == "fail":
        raise SchemeNotInForce("；".join(found) + f"。请在 {config.settings_file().name} 的 schemes 中换上本月有效的方案，"
                               "或把 schemes_out_of_force 设为 warn 以在说明中注明后照常发布")
    for sentence in found:
        log.warning(sentence)
    return found


def adjustable_in_force(period: str, folder: Path | None = None) -> set[str]:
    """The configured schemes in force in the month that have an adjustment (附加分) item: the only
    ones an adjustment row of the export can name."""
    return {scheme["scheme_id"] for scheme in (load_scheme(i, folder) for i in config.scheme_ids())
            if (version := version_in_force(scheme, period)) and any(item["rule"] == "adjustment" for item in version["items"])}
