"""The integrity signals (数据质量提示) as data: include/config/integrity_signals.yml, checked on
load and loaded as rows into raw.integrity_signals beside the schemes. The signals themselves are
computed in dbt (marts.rpt_integrity_signals_monthly); this module only says which exist, with
their thresholds and texts. `python -m gridpulse.signals` checks the file and prints the signals.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from gridpulse.config import CONFIG_DIR, read_yaml
from gridpulse.profile import WORD_KEYS

SIGNALS_FILE = CONFIG_DIR / "integrity_signals.yml"

# the ids the mart computes a score for: a signal of another id would never be found
KNOWN_SIGNALS = ("events_far_above_township_median", "month_end_burst", "near_duplicate_events", "implausible_patrols",
                 "online_days_without_work", "instant_closes", "late_timestamps")
UNIT_LEVELS = ("worker", "grid", "township")
REQUIRED = ("signal_id", "label_zh", "unit_level", "threshold", "score_zh", "reference_zh", "explanation_zh")
# texts that may name the district's level in its own words ({whole}: 全区, 全县, 全街道...)
WORDED = ("label_zh", "score_zh", "reference_zh", "explanation_zh")
OPTIONAL = ("min_base", "limit_value", "categories")

SIGNAL_COLUMNS = {"signal_id": "VARCHAR", "display_order": "INTEGER", "label_zh": "VARCHAR", "unit_level": "VARCHAR",
                  "threshold": "DOUBLE", "min_base": "DOUBLE", "limit_value": "DOUBLE", "categories": "VARCHAR",
                  "score_zh": "VARCHAR", "reference_zh": "VARCHAR", "explanation_zh": "VARCHAR", "caveat_zh": "VARCHAR"}


class SignalError(ValueError):
    pass


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def _check(path: Path, n: int, signal: dict) -> None:
    where = f"{path.name}: signal {n} ({signal.get('signal_id', '?')})"
    unknown = set(signal) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise SignalError(f"{where}: unknown fields {sorted(unknown)}; allowed: {sorted(REQUIRED + OPTIONAL)}")
    missing = [field for field in REQUIRED if signal.get(field) in (None, "")]
    if missing:
        raise SignalError(f"{where}: missing {missing}")
    if signal["signal_id"] not in KNOWN_SIGNALS:
        raise SignalError(f"{where}: unknown signal_id; the mart computes {list(KNOWN_SIGNALS)}")
    if signal["unit_level"] not in UNIT_LEVELS:
        raise SignalError(f"{where}: unit_level must be one of {list(UNIT_LEVELS)}")
    for field in ("threshold", "min_base", "limit_value"):
        if field in signal and not _number(signal[field]):
            raise SignalError(f"{where}: {field} must be a number ≥ 0")
    for field in WORDED:
        try:
            str(signal[field]).format_map({key: "" for key in WORD_KEYS})
        except (KeyError, ValueError, IndexError) as error:
            raise SignalError(f"{where}: {field} may name only the level's words {{{'}, {'.join(WORD_KEYS)}}} ({error})") from None


def load_signals(path: Path = SIGNALS_FILE) -> dict:
    """The signals file, checked: {caveat_zh, signals: [...]}."""
    data = read_yaml(path)
    if not str(data.get("caveat_zh") or "").strip():
        raise SignalError(f"{path.name}: caveat_zh (a signal is a prompt to look, not a verdict) is required")
    signals = data.get("signals") or []
    seen = set()
    for n, signal in enumerate(signals, start=1):
        _check(path, n, signal)
        if signal["signal_id"] in seen:
            raise SignalError(f"{path.name}: signal_id '{signal['signal_id']}' appears twice")
        seen.add(signal["signal_id"])
    return data


def signal_frame(words: dict[str, str], path: Path = SIGNALS_FILE) -> pd.DataFrame:
    """The rows of raw.integrity_signals, their texts in the district's level words (`words`, its
    profile's: 全县 where a county prints the whole, never a fixed 全区)."""
    data = load_signals(path)
    worded = lambda signal, field: " ".join(str(signal[field]).format_map(words).split())  # noqa: E731
    rows = [{"signal_id": s["signal_id"], "display_order": order, "label_zh": worded(s, "label_zh"), "unit_level": s["unit_level"],
             "threshold": float(s["threshold"]), "min_base": float(s.get("min_base") or 0),
             "limit_value": float(s.get("limit_value") or 0), "categories": "|".join(s.get("categories") or []),
             "score_zh": worded(s, "score_zh"), "reference_zh": worded(s, "reference_zh"),
             "explanation_zh": worded(s, "explanation_zh"), "caveat_zh": data["caveat_zh"].strip()}
            for order, s in enumerate(data["signals"], start=1)]
    return pd.DataFrame(rows, columns=list(SIGNAL_COLUMNS))


def main() -> int:
    for row in signal_frame({key: f"{{{key}}}" for key in WORD_KEYS}).itertuples():
        print(f"{row.signal_id}: {row.label_zh} ({row.unit_level}, threshold {row.threshold:g})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main() if len(sys.argv) == 1 else 2)
