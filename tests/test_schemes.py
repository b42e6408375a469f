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
