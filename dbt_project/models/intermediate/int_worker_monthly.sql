-- Per month and grid worker active in it: what the worker reported and how they patrolled.
with months as (
    select * from {{ ref('int_months') }}
),

hierarchy as (
    select period, org_id, township_id from {{ ref('int_org_hierarchy') }}
),

active_workers as (
    select
        workers.period,
        workers.worker_id,
        workers.grid_id,
        hierarchy.township_id
    from {{ ref('stg_grid_workers') }} as workers
    inner join months on months.period = workers.period
    left join hierarchy on hierarchy.period = workers.period and hierarchy.org_id = workers.grid_id
    where workers.active_from <= months.last_day
      and (workers.active_to is null or workers.active_to >= months.first_day)
),

reports as (
    -- a worker's own new events of the month; carried-over events were counted in their month
    select
        period,
        reporter_id as worker_id,
        count(*) as events_reported,
        sum(case when is_valid and is_safety_hazard then 1 else 0 end) as valid_hazard_events
    from {{ ref('stg_events') }}
    where reporter_role = 'grid_worker' and not is_carried_over
    group by period, reporter_id
),

patrol_days as (
    select
        period,
        worker_id,
        cast(started_at as date) as patrol_day,
        sum({{ dbt.datediff('started_at', 'ended_at', 'second') }}) / 60.0 as patrol_minutes
    from {{ ref('stg_patrols') }}
    group by period, worker_id, cast(started_at as date)
),

workday_patrols as (
    -- every workday of the month, with 0 minutes where the worker did not patrol
    select
        active_workers.period,
        active_workers.worker_id,
        calendar.day,
        coalesce(patrol_days.patrol_minutes, 0) as patrol_minutes
    from active_workers
    inner join {{ ref('stg_calendar_days') }} as calendar
        on calendar.period = active_workers.period and calendar.is_workday
    left join patrol_days
        on patrol_days.period = active_workers.period
        and patrol_days.worker_id = active_workers.worker_id
        and patrol_days.patrol_day = calendar.day
),

patrol_summary as (
    select
        period,
        worker_id,
        count(*) as workdays,
        sum(case when patrol_minutes > 0 then 1 else 0 end) as workdays_patrolled,
        min(patrol_minutes) as min_workday_patrol_minutes
    from workday_patrols
    group by period, worker_id
),

app as (
    select
        period,
        worker_id,
        sum(case when is_online then 1 else 0 end) as days_online,
        sum(online_minutes) as online_minutes,
        {{ exact_sum('distance_km') }} as app_distance_km
    from {{ ref('stg_app_activity') }}
    group by period, worker_id
)

select
    active_workers.period,
    active_workers.worker_id,
    active_workers.grid_id,
    active_workers.township_id,
    coalesce(reports.events_reported, 0) as events_reported,
    coalesce(reports.valid_hazard_events, 0) as valid_hazard_events,
    coalesce(patrol_summary.workdays, 0) as workdays,
    coalesce(patrol_summary.workdays_patrolled, 0) as workdays_patrolled,
    coalesce(patrol_summary.min_workday_patrol_minutes, 0) as min_workday_patrol_minutes,
    coalesce(app.days_online, 0) as days_online,
    coalesce(app.online_minutes, 0) as online_minutes,
    coalesce(app.app_distance_km, 0) as app_distance_km
from active_workers
left join reports on reports.period = active_workers.period and reports.worker_id = active_workers.worker_id
left join patrol_summary on patrol_summary.period = active_workers.period and patrol_summary.worker_id = active_workers.worker_id
left join app on app.period = active_workers.period and app.worker_id = active_workers.worker_id
