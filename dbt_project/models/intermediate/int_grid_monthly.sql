-- Per month and grid: the counts the grid indicators divide. Events count where they happened
-- (the grid the event is filed under), app activity and visits through the grid's workers.
with months as (
    select period, count(*) as days_in_month
    from {{ ref('stg_calendar_days') }}
    group by period
),

grids as (
    select
        hierarchy.period,
        hierarchy.org_id as grid_id,
        hierarchy.org_name as grid_name,
        hierarchy.parent_org_id as village_id,
        hierarchy.township_id,
        hierarchy.district_id,
        months.days_in_month
    from {{ ref('int_org_hierarchy') }} as hierarchy
    inner join months on months.period = hierarchy.period
    where hierarchy.org_level = 'grid'
),

events as (
    select
        period,
        org_id as grid_id,
        cast(sum(new_events) as {{ dbt.type_bigint() }}) as new_events,
        sum(new_valid_events) as new_valid_events,
        sum(overdue_valid_events) as overdue_valid_events,
        sum(events_due_in_month) as events_due_in_month,
        sum(events_due_in_month_closed) as events_due_in_month_closed,
        sum(dispute_category_events) as dispute_category_events
    from {{ ref('int_event_counts') }}
    group by period, org_id
),

transfers as (
    -- 流转率 counts events transferred to a dispatched agency (派驻机构), as the rule says: an
    -- event passed on to a community or another township is not handed to an agency
    select
        transfers.period,
        events.org_id as grid_id,
        count(distinct transfers.event_id) as transferred_events,
        count(distinct case when events.is_closed then transfers.event_id end) as transferred_events_closed
    from {{ ref('stg_event_transfers') }} as transfers
    inner join {{ ref('int_org_hierarchy') }} as receivers
        on receivers.period = transfers.period and receivers.org_id = transfers.to_org_id
        and receivers.org_level = 'agency'
    inner join {{ ref('int_event_status') }} as events
        on events.period = transfers.period and events.event_id = transfers.event_id
    group by transfers.period, events.org_id
),

workers as (
    select
        period,
        grid_id,
        count(*) as workers,
        sum(days_in_service) as worker_days_in_service,
        sum(case when days_online > 0 then 1 else 0 end) as workers_online,
        sum(days_online) as days_online,
        sum(online_minutes) as online_minutes,
        sum(app_distance_km) as app_distance_km
    from {{ ref('int_worker_monthly') }}
    group by period, grid_id
),

special_population as (
    select
        period,
        grid_id,
        cast(sum(special_population) as {{ dbt.type_bigint() }}) as special_population,
        sum(special_population_visited) as special_population_visited
    from {{ ref('int_special_population_counts') }}
    group by period, grid_id
)

{{ unit_counts('grids', 'grid_id', {
    'workers': ['workers', 'worker_days_in_service', 'workers_online', 'days_online', 'online_minutes', 'app_distance_km'],
    'events': ['new_events', 'new_valid_events', 'overdue_valid_events', 'events_due_in_month',
               'events_due_in_month_closed', 'dispute_category_events'],
    'transfers': ['transferred_events', 'transferred_events_closed'],
    'special_population': ['special_population', 'special_population_visited'],
}) }}
