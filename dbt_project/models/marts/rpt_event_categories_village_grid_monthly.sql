-- New events of a month by category below the township: for each village/community (every event
-- filed under it or one of its grids) and for each grid (events filed under the grid itself),
-- with the category's share of the unit's events. rpt_event_categories_monthly holds the
-- district and township rows of the same count.
with events as (
    select period, org_id, village_id, township_id, district_id, category
    from {{ ref('int_event_status') }}
    where not is_carried_over
),

grids as (
    select period, org_id from {{ ref('int_org_hierarchy') }}
    where org_level = 'grid'
),

by_unit as (
    select
        period, village_id as org_id, 'village' as org_level, village_id, township_id, category, count(*) as events, district_id
    from events
    where village_id is not null
    group by period, village_id, township_id, district_id, category
    union all
    select
        events.period, events.org_id, 'grid' as org_level, events.village_id, events.township_id, events.category,
        count(*) as events, events.district_id
    from events
    inner join grids on grids.period = events.period and grids.org_id = events.org_id
    group by events.period, events.org_id, events.village_id, events.township_id, events.district_id, events.category
)

select
    period,
    org_id,
    org_level,
    village_id,
    township_id,
    category,
    {{ category_share_columns() }},
    district_id
from by_unit
