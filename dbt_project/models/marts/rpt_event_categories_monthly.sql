-- New events of a month by category, for the district and for each township, with each
-- category's share of the unit's events (seed 002's 信息报送情况 table).
with events as (
    select period, township_id, district_id, category
    from {{ ref('int_event_status') }}
    where not is_carried_over
),

by_unit as (
    select events.period, districts.org_id, 'district' as org_level, events.category, count(*) as events, districts.org_id as district_id
    from events
    inner join {{ ref('int_org_hierarchy') }} as districts
        on districts.period = events.period and districts.org_level = 'district'
    group by events.period, districts.org_id, events.category
    union all
    select period, township_id as org_id, 'township' as org_level, category, count(*) as events, district_id
    from events
    group by period, township_id, district_id, category
)

select
    period,
    org_id,
    org_level,
    category,
    {{ category_share_columns() }},
    district_id
from by_unit
