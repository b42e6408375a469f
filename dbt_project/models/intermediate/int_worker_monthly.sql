-- Per month and grid worker active in it: the days and workdays the worker was in service (a
-- worker who left on the 15th or started on the 16th serves part of the month), what the worker
-- reported, how they patrolled and how many of their special-population members they visited.
-- Every per-worker-day figure divides by the days in service, never by the whole month.
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
        hierarchy.township_id,
        greatest(workers.active_from, months.first_day) as served_from,
        least(coalesce(workers.active_to, months.last_day), months.last_day) as served_to
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
        cast(sum(new_events) as {{ dbt.type_bigint() }}) as events_reported,
        sum(valid_hazard_events) as valid_hazard_events,
        sum(new_valid_events) as valid_events,
        sum(overdue_valid_events) as overdue_valid_events
    from {{ ref('int_event_counts') }}
    where reporter_role = 'grid_worker'
    group by period, reporter_id
),

special_population as (
    select * from {{ ref('int_special_population_counts') }}
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

service as (
    select
        active_workers.period,
        active_workers.worker_id,
        count(*) as days_in_service
    from active_workers
    inner join {{ ref('stg_calendar_days') }} as calendar
        on calendar.period = active_workers.period
        and calendar.day between active_workers.served_from and active_workers.served_to
    group by active_workers.period, active_workers.worker_id
),

workday_patrols as (
    -- every workday the worker was in service, with 0 minutes where the worker did not patrol
    select
        active_workers.period,
        active_workers.worker_id,
        calendar.day,
        coalesce(patrol_days.patrol_minutes, 0) as patrol_minutes
    from active_workers
    inner join {{ ref('stg_calendar_days') }} as calendar
        on calendar.period = active_workers.period and calendar.is_workday
        and calendar.day between active_workers.served_from and active_workers.served_to
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
    -- the app's days while the worker was in service: a day logged after leaving is not the grid's
    select
        activity.period,
        activity.worker_id,
        sum(case when activity.is_online then 1 else 0 end) as days_online,
        sum(activity.online_minutes) as online_minutes,
        {{ exact_sum('activity.distance_km') }} as app_distance_km
    from {{ ref('stg_app_activity') }} as activity
    inner join active_workers
        on active_workers.period = activity.period
        and active_workers.worker_id = activity.worker_id
        and activity.activity_date between active_workers.served_from and active_workers.served_to
    group by activity.period, activity.worker_id
)

{{ unit_counts('active_workers', 'worker_id', {
    'service': ['days_in_service'],
    'reports': ['events_reported', 'valid_hazard_events', 'valid_events', 'overdue_valid_events'],
    'patrol_summary': ['workdays', 'workdays_patrolled', 'min_workday_patrol_minutes'],
    'app': ['days_online', 'online_minutes', 'app_distance_km'],
    'special_population': ['special_population', 'special_population_visited'],
}) }}
