-- Rebuilt whole on every run: the schemes in force are configuration, not months.
{{ config(materialized='table') }}
-- Items of every version of the scoring schemes: the label as printed, weight, indicator and how
-- it is scored. A month is scored under the version whose valid_from..valid_to holds it.
select
    scheme_id,
    scheme_title_zh,
    scored_org_level,
    valid_from,
    valid_to,
    item_id,
    display_order,
    rule_no,
    label_zh,
    group_zh,
    weight,
    indicator_id,
    standard,
    rule,
    band_lo,
    band_hi,
    deduct_points,
    deduct_per,
    decimals,
    if_undefined,
    min_events,
    min_disputes,
    min_hazard_events,
    min_patrol_minutes,
    rule_text_zh
from {{ ref('int_scheme_items') }}
