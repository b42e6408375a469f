-- Per month, org unit and day: the new events filed under the unit that day (all, valid) and the
-- events of the unit closed that day (new or carried over, closed by the month's end). A row for
-- every day with at least one of them; roll up to villages, townships and the district by their
-- columns (a township's last three days, a grid's busiest day).
with days as (
    select
        period,
        org_id,
        cast(reported_at as date) as activity_date,
        1 as events_reported,
        case when is_valid then 1 else 0 end as valid_events,
        0 as events_closed
    from {{ ref('stg_events') }}
    where not is_carried_over
    union all
    select
        events.period,
        events.org_id,
        cast(events.closed_at as date) as activity_date,
        0 as events_reported,
        0 as valid_events,
        1 as events_closed
    from {{ ref('stg_events') }} as events
    inner join {{ ref('int_months') }} as months on months.period = events.period
    where events.closed_at >= months.first_day and events.closed_at < months.month_end
),

summed as (
    select
        period,
        org_id,
        activity_date,
        sum(events_reported) as events_reported,
        sum(valid_events) as valid_events,
        sum(events_closed) as events_closed
    from days
    group by period, org_id, activity_date
)

select
    summed.period,
    summed.activity_date,
    summed.org_id,
    units.org_level,
    units.village_id,
    units.township_id,
    cast(summed.events_reported as {{ dbt.type_bigint() }}) as events_reported,
    cast(summed.valid_events as {{ dbt.type_bigint() }}) as valid_events,
    cast(summed.events_closed as {{ dbt.type_bigint() }}) as events_closed,
    units.district_id
from summed
left join {{ ref('int_org_hierarchy') }} as units
    on units.period = summed.period and units.org_id = summed.org_id
