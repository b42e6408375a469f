"""Scheme files are checked on load and fail with a message that says which item and what."""
from __future__ import annotations

import pytest
import yaml

from gridpulse.config import SCHEMES_DIR
from gridpulse.schemes import SchemeError, load_scheme, scheme_frames

SCHEME = "yushui_township_2022"


def test_the_township_scheme_has_ten_items_worth_100():
    frames = scheme_frames([SCHEME])
    items = frames["scheme_items"]
    assert len(items) == 10 and items.weight.sum() == 100
    assert items.label_zh.tolist() == ["事项总量", "网格员上报", "达标网格员", "达标综治中心", "隐患排查",
                                       "矛盾纠纷", "事项流转", "处理及时率", "网格巡查", "特殊人群走访"]
    timeliness = items.set_index("item_id").loc["timeliness"]
    assert (timeliness.rule, timeliness.band_lo, timeliness.band_hi) == ("linear_band", 0.80, 0.98)


@pytest.mark.parametrize("change, message", [
    (lambda item: item.update(rule="sigmoid"), "rule 'sigmoid' is not one of"),
    (lambda item: item.update(standard=0), "a proportional rule needs a standard (a number > 0)"),
    (lambda item: item.update(wieght=5), "unknown fields ['wieght']"),
    (lambda item: item.pop("indicator_id"), "'indicator_id' is required"),
])
def test_a_broken_item_is_named(tmp_path, change, message):
    scheme = yaml.safe_load((SCHEMES_DIR / f"{SCHEME}.yml").read_text(encoding="utf-8"))
    change(scheme["items"][0])
    (tmp_path / f"{SCHEME}.yml").write_text(yaml.safe_dump(scheme, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SchemeError) as error:
        load_scheme(SCHEME, tmp_path)
    assert f"{SCHEME}.yml: item 1 (event_volume)" in str(error.value)
    assert message in str(error.value)


def _versioned(tmp_path, first: dict, second: dict) -> dict:
    """The township scheme as two versions: the file's items, first with 事项总量 at 25 and 网格巡查 at 5."""
    scheme = yaml.safe_load((SCHEMES_DIR / f"{SCHEME}.yml").read_text(encoding="utf-8"))
    items = scheme.pop("items")
    scheme.pop("valid_from", None), scheme.pop("valid_to", None)
    earlier = [dict(item, weight={"event_volume": 25, "patrol_compliance": 5}.get(item["item_id"], item["weight"])) for item in items]
    scheme["versions"] = [{**first, "items": earlier}, {**second, "items": items}]
    (tmp_path / f"{SCHEME}.yml").write_text(yaml.safe_dump(scheme, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return scheme


def test_a_scheme_with_two_versions_scores_each_month_under_its_own(tmp_path):
    from gridpulse.schemes import applies_to, version_in_force

    _versioned(tmp_path, {"valid_from": "2022-01", "valid_to": "2022-09"}, {"valid_from": "2022-10", "valid_to": None})
    scheme = load_scheme(SCHEME, tmp_path)
    assert version_in_force(scheme, "2022-09")["items"][0]["weight"] == 25
    assert version_in_force(scheme, "2022-10")["items"][0]["weight"] == 20
    assert applies_to(scheme, "2022-06") and applies_to(scheme, "2025-01") and not applies_to(scheme, "2021-12")
    schemes = scheme_frames([SCHEME], tmp_path)
    assert schemes["schemes"].valid_from.tolist() == ["2022-01", "2022-10"]
    assert schemes["scheme_items"].groupby("valid_from").weight.sum().tolist() == [100, 100]


@pytest.mark.parametrize("first, second, message", [
    # a date would need a guess at its month: refused, and the message says what to write
    ({"valid_from": "2022-01", "valid_to": "2022-09"}, {"valid_from": "2022-10-01"},
     "version 2: valid_from: 2022-10-01 is not a month; a scheme is in force by whole months, write valid_from: 2022-10"),
    ({"valid_from": "2022-01", "valid_to": "2022-09-30"}, {"valid_from": "2022-10"},
     "version 1: valid_to: 2022-09-30 is not a month; a scheme is in force by whole months, write valid_to: 2022-09"),
    ({"valid_from": "2022-01", "valid_to": "2022-10"}, {"valid_from": "2022-10"},
     "version 2 starts 2022-10, but version 1 runs to 2022-10"),
    ({"valid_from": "2022-01"}, {"valid_from": "2022-10"}, "version 2 starts 2022-10, but version 1 runs to no end"),
])
def test_versions_are_months_that_follow_each_other(tmp_path, first, second, message):
    _versioned(tmp_path, first, second)
    with pytest.raises(SchemeError) as error:
        load_scheme(SCHEME, tmp_path)
    assert f"{SCHEME}.yml: {message}" in str(error.value)


def test_a_date_written_unquoted_is_refused_too(tmp_path):
    """YAML reads `valid_from: 2025-07-01` as a date, not as text: refused the same way."""
    text = (SCHEMES_DIR / f"{SCHEME}.yml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith(("valid_from:", "valid_to:"))]
    (tmp_path / f"{SCHEME}.yml").write_text("\n".join(lines + ["valid_from: 2025-07-01"]) + "\n", encoding="utf-8")
    with pytest.raises(SchemeError, match="valid_from: 2025-07-01 is not a month.*write valid_from: 2025-07"):
        load_scheme(SCHEME, tmp_path)
