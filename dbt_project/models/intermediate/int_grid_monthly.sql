-- Per month and grid: the counts the grid indicators divide. Events count where they happened
-- (the grid the event is filed under), app activity and visits through the grid's workers.
with grids as (
    select period, org_id as grid_id, org_name as grid_name, parent_org_id as village_id, township_id
    from {{ ref('int_org_hierarchy') }}
    where org_level = 'grid'
),

events as (
    select
        period,
        org_id as grid_id,
        count(*) as new_events,
        sum(case when is_valid then 1 else 0 end) as new_valid_events,
        sum(case when is_valid and is_overdue then 1 else 0 end) as overdue_valid_events,
        sum(case when is_due_in_month then 1 else 0 end) as events_due_in_month,
        sum(case when is_due_in_month and is_closed then 1 else 0 end) as events_due_in_month_closed,
        sum(case when category = '矛盾纠纷' then 1 else 0 end) as dispute_category_events
    from {{ ref('int_event_status') }}
    where not is_carried_over
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
        sum(case when days_online > 0 then 1 else 0 end) as workers_online,
        sum(days_online) as days_online,
        sum(online_minutes) as online_minutes,
        sum(app_distance_km) as app_distance_km
    from {{ ref('int_worker_monthly') }}
    group by period, grid_id
),

special_population as (
    select
        people.period,
        workers.grid_id,
        count(*) as special_population,
        sum(case when visited.person_id is not null then 1 else 0 end) as special_population_visited
    from {{ ref('stg_special_population') }} as people
    inner join {{ ref('stg_grid_workers') }} as workers
        on workers.period = people.period and workers.worker_id = people.worker_id
    left join (
        select distinct period, person_id from {{ ref('stg_special_population_visits') }}
    ) as visited on visited.period = people.period and visited.person_id = people.person_id
    group by people.period, workers.grid_id
),

months as (
    select period, count(*) as days_in_month
    from {{ ref('stg_calendar_days') }}
    group by period
)

select
    grids.period,
    grids.grid_id,
    grids.grid_name,
    grids.village_id,
    grids.township_id,
    months.days_in_month,
    coalesce(workers.workers, 0) as workers,
    coalesce(workers.workers_online, 0) as workers_online,
    coalesce(workers.days_online, 0) as days_online,
    coalesce(workers.online_minutes, 0) as online_minutes,
    coalesce(workers.app_distance_km, 0) as app_distance_km,
    coalesce(events.new_events, 0) as new_events,
    coalesce(events.new_valid_events, 0) as new_valid_events,
    coalesce(events.overdue_valid_events, 0) as overdue_valid_events,
    coalesce(events.events_due_in_month, 0) as events_due_in_month,
    coalesce(events.events_due_in_month_closed, 0) as events_due_in_month_closed,
    coalesce(events.dispute_category_events, 0) as dispute_category_events,
    coalesce(transfers.transferred_events, 0) as transferred_events,
    coalesce(transfers.transferred_events_closed, 0) as transferred_events_closed,
    coalesce(special_population.special_population, 0) as special_population,
    coalesce(special_population.special_population_visited, 0) as special_population_visited
from grids
inner join months on months.period = grids.period
left join events on events.period = grids.period and events.grid_id = grids.grid_id
left join transfers on transfers.period = grids.period and transfers.grid_id = grids.grid_id
left join workers on workers.period = grids.period and workers.grid_id = grids.grid_id
left join special_population on special_population.period = grids.period and special_population.grid_id = grids.grid_id
