-- A township's worker indicators are the sums of its villages' and of its workers': the same
-- workers, counted at three levels, give the same numerators and denominators.
with townships as (
    select period, scheme_id, item_id, org_id as township_id, numerator, denominator
    from {{ ref('fct_indicator_monthly') }}
    where org_level = 'township' and {{ in_this_month() }}
        and indicator_id in ('events_per_worker', 'worker_event_quota_rate', 'worker_hazard_quota_rate', 'patrol_compliance_rate')
),

villages as (
    select
        indicators.period, indicators.scheme_id, indicators.item_id, hierarchy.township_id,
        sum(indicators.numerator) as numerator, sum(indicators.denominator) as denominator
    from {{ ref('fct_indicator_monthly') }} as indicators
    inner join {{ ref('int_org_hierarchy') }} as hierarchy
        on hierarchy.period = indicators.period and hierarchy.org_id = indicators.org_id
    where indicators.org_level = 'village' and {{ in_this_month('indicators.period') }}
    group by indicators.period, indicators.scheme_id, indicators.item_id, hierarchy.township_id
),

workers as (
    select period, scheme_id, item_id, township_id, sum(numerator) as numerator, sum(denominator) as denominator
    from {{ ref('int_indicator_worker') }}
    group by period, scheme_id, item_id, township_id
)

select townships.*, villages.numerator as village_numerator, workers.numerator as worker_numerator
from townships
left join villages using (period, scheme_id, item_id, township_id)
left join workers using (period, scheme_id, item_id, township_id)
where coalesce(villages.numerator, -1) <> townships.numerator
    or coalesce(villages.denominator, -1) <> townships.denominator
    or coalesce(workers.numerator, -1) <> townships.numerator
    or coalesce(workers.denominator, -1) <> townships.denominator
