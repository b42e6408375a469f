"""Every platform mapping (include/config/platforms/*.yml) covers the export contract: each
contract column is named by exactly one header of its file, and every value word the platform
prints becomes a value the contract accepts. No month runs here."""
from __future__ import annotations

import pytest

from gridpulse import config
from gridpulse.contract import tables
from gridpulse.ingest.headers import loose

PLATFORMS = sorted(p.stem for p in (config.CONFIG_DIR / "platforms").glob("*.yml"))


def test_both_platforms_are_there():
    assert {"jiangxi_shzl", "zhejiang_sipingtai"} <= set(PLATFORMS)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_contract_column_is_mapped_exactly_once(platform):
    mapping = config.platform_mapping(platform)
    assert mapping["platform"] == platform
    assert set(mapping["files"]) == set(tables())
    names = [spec["file"] for spec in mapping["files"].values()]
    assert len(set(names)) == len(names) and config.manifest_name(mapping) not in names
    for name, table in tables().items():
        columns = mapping["files"][name]["columns"]
        mapped = list(columns.values())
        assert sorted(mapped) == sorted(table.columns), f"{platform} {name}: {mapped}"
        # headers that read the same once widths and spaces are ignored would be taken for each other
        assert len({loose(h) for h in columns}) == len(columns), f"{platform} {name}: two headers read alike"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_value_word_maps_to_a_value_the_contract_accepts(platform):
    mapping = config.platform_mapping(platform)
    true, false = ({str(w) for w in mapping["booleans"][key]} for key in (True, False))
    assert true and false and not true & false
    for name, table in tables().items():
        for column, words in (mapping["files"][name].get("values") or {}).items():
            spec = table.columns[column]
            assert words, f"{platform} {name}.{column}: no words"
            if spec.type == "boolean":
                # a boolean column's own words (平安通's 在线/离线) are read as true or false
                assert all(isinstance(code, bool) for code in words.values()), f"{platform} {name}.{column}: {words}"
                assert not {str(w) for w in words} & (true | false)
            else:
                assert spec.values, f"{platform} {name}.{column} maps words but the contract has no values for it"
                assert set(words.values()) <= set(spec.values), f"{platform} {name}.{column}: {set(words.values()) - set(spec.values)}"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_demo_writes_what_the_mapping_reads(platform, tmp_path):
    """A small month written in the platform's format reads back without a problem through it."""
    from gridpulse.demo import generate
    from gridpulse.period import Period
    from gridpulse.validate.export import read_export

    month = generate("2022-11", tmp_path / "export", scale=0.1, platform=platform)
    data = read_export(month, Period.parse("2022-11"), tmp_path, mapping=config.platform_mapping(platform))
    assert data.problems == []
    assert data.frame("app_activity").is_online.any() and not data.frame("app_activity").is_online.all()
