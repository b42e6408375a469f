-- Items of every version of the scoring schemes, with their scheme's scored level and the version's validity.
select
    items.scheme_id,
    schemes.title_zh as scheme_title_zh,
    schemes.org_level as scored_org_level,
    schemes.valid_from,
    schemes.valid_to,
    items.item_id,
    items.display_order,
    items.rule_no,
    items.label_zh,
    items.group_zh,
    items.weight,
    items.indicator_id,
    items.standard,
    items.rule,
    items.band_lo,
    items.band_hi,
    items.deduct_points,
    items.deduct_per,
    items.decimals,
    items.if_undefined,
    items.rule_text_zh
from {{ source('raw', 'scheme_items') }} as items
inner join {{ source('raw', 'schemes') }} as schemes
    on schemes.scheme_id = items.scheme_id and schemes.valid_from = items.valid_from
