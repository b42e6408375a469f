-- The score of every item for every unit a scheme ranks, with how it was computed: a township
-- asking "why 9.86?" finds the value, the standard and the rule on the same row.
--   proportional: weight x min(value / standard, 1)
--   linear_band:  weight at or above band_hi, 0 below band_lo, linear between
--   deduction:    weight - deduct_points for every deduct_per (or part of one) short of the
--                 standard, never below 0
--   threshold:    weight at or above the standard, else 0
--   adjustment:   the sum of the month's adjustments (附加分), positive or negative; weight 0
--   value undefined (denominator 0): the item's if_undefined (full or zero)
-- score is score_unrounded rounded half up to the item's printed decimals.
with indicators as (
    select * from {{ ref('fct_indicator_monthly') }}
    {% if is_incremental() %}where {{ in_this_month() }}{% endif %}
),

items as (
    select * from {{ ref('int_scheme_items') }}
),

scored as (
    select
        indicators.period,
        indicators.scheme_id,
        indicators.org_id,
        items.item_id,
        items.label_zh,
        items.display_order,
        items.weight,
        items.indicator_id,
        indicators.numerator,
        indicators.denominator,
        indicators.value,
        items.standard,
        items.rule,
        items.band_lo,
        items.band_hi,
        items.deduct_points,
        items.deduct_per,
        items.if_undefined,
        items.decimals,
        case
            when indicators.value is null
                then case when items.if_undefined = 'full' then items.weight else 0 end
            when items.rule = 'proportional'
                then case
                        when indicators.value >= items.standard then items.weight
                        else items.weight * indicators.value / items.standard
                    end
            when items.rule = 'linear_band'
                then case
                        when indicators.value >= items.band_hi then items.weight
                        when indicators.value < items.band_lo then 0
                        else items.weight * (indicators.value - items.band_lo) / (items.band_hi - items.band_lo)
                    end
            when items.rule = 'deduction'
                then case
                        when indicators.value >= items.standard then items.weight
                        -- a small tolerance, so that a shortfall of exactly n units is not read as n + 1
                        else greatest(
                                items.weight
                                - items.deduct_points * ceil((items.standard - indicators.value) / items.deduct_per - 1e-9),
                                0
                            )
                    end
            when items.rule = 'threshold'
                then case when indicators.value >= items.standard then items.weight else 0 end
            when items.rule = 'adjustment' then indicators.value
        end as score_unrounded,
        indicators.district_id
    from indicators
    inner join items
        on items.scheme_id = indicators.scheme_id
        and items.item_id = indicators.item_id
        and items.scored_org_level = indicators.org_level
        -- the version in force in the row's month (a scheme may have several, each valid for its months)
        and coalesce(items.valid_from, '') <= indicators.period
        and (items.valid_to is null or items.valid_to >= indicators.period)
)

select
    period, scheme_id, org_id, item_id, label_zh, display_order, weight, indicator_id, numerator, denominator, value,
    standard, rule, band_lo, band_hi, deduct_points, deduct_per, if_undefined, decimals, score_unrounded,
    {{ round_half_up('score_unrounded', 'decimals') }} as score,
    {{ round_half_up('score_unrounded', 'decimals') }} - weight as points_deducted,
    district_id
from scored
