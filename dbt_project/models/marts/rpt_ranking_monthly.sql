-- The ranking of each scheme per month. total_score is the sum of the printed item scores, so a
-- row always adds up; rank is the standard competition rank (1, 1, 3) of the unrounded totals.
with totals as (
    select
        period,
        scheme_id,
        org_id,
        {{ round_half_up('sum(score)', 2) }} as total_score,
        sum(score_unrounded) as total_score_unrounded,
        count(*) as items_scored
    from {{ ref('fct_score_monthly') }}
    group by period, scheme_id, org_id
)

select
    totals.period,
    totals.scheme_id,
    totals.org_id,
    units.org_name,
    totals.total_score,
    totals.total_score_unrounded,
    -- rounded to 6 decimals so that equal totals reached by different float paths tie
    rank() over (partition by totals.period, totals.scheme_id order by round(cast(totals.total_score_unrounded as {{ dbt.type_numeric() }}), 6) desc) as rank,
    totals.items_scored
from totals
inner join {{ ref('int_org_hierarchy') }} as units
    on units.period = totals.period and units.org_id = totals.org_id
