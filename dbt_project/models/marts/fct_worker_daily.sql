-- Per month, grid worker and day: the worker's day in the 平安通 app (online, minutes, km), their
-- patrols (count, minutes, km) and the new events they reported. A row for every day the export
-- has app activity, a patrol or an event of the worker; the parts are stacked and summed in one
-- pass (no join per part), which keeps the model cheap at province scale.
with days as (
    select
        period,
        worker_id,
        activity_date,
        case when is_online then 1 else 0 end as online,
        online_minutes,
        distance_km as online_km,
        0 as patrols,
        0 as patrol_seconds,
        cast(0 as decimal(18, 3)) as patrol_km,
        0 as events_reported
    from {{ ref('stg_app_activity') }}
    union all
    select
        period,
        worker_id,
        cast(started_at as date) as activity_date,
        0 as online,
        0 as online_minutes,
        0 as online_km,
        1 as patrols,
        {{ dbt.datediff('started_at', 'ended_at', 'second') }} as patrol_seconds,
        distance_km as patrol_km,
        0 as events_reported
    from {{ ref('stg_patrols') }}
    union all
    -- a worker's own new events; carried-over events were counted in the month they were reported
    select
        period,
        reporter_id as worker_id,
        cast(reported_at as date) as activity_date,
        0 as online,
        0 as online_minutes,
        0 as online_km,
        0 as patrols,
        0 as patrol_seconds,
        0 as patrol_km,
        1 as events_reported
    from {{ ref('stg_events') }}
    where reporter_role = 'grid_worker' and not is_carried_over
),

summed as (
    select
        period,
        worker_id,
        activity_date,
        max(online) as online,
        sum(online_minutes) as online_minutes,
        {{ exact_sum('online_km') }} as online_km,
        sum(patrols) as patrols,
        sum(patrol_seconds) as patrol_seconds,
        {{ exact_sum('patrol_km') }} as patrol_km,
        sum(events_reported) as events_reported
    from days
    group by period, worker_id, activity_date
),

placed as (
    -- each worker of the month in their grid and township, joined once per worker, not per day
    select workers.period, workers.worker_id, workers.grid_id, grids.township_id, grids.district_id
    from {{ ref('stg_grid_workers') }} as workers
    left join {{ ref('int_org_hierarchy') }} as grids
        on grids.period = workers.period and grids.org_id = workers.grid_id
)

select
    summed.period,
    summed.activity_date,
    summed.worker_id,
    placed.grid_id,
    placed.township_id,
    summed.online = 1 as is_online,
    cast(summed.online_minutes as {{ dbt.type_bigint() }}) as online_minutes,
    cast(summed.online_km as decimal(18, 2)) as online_km,
    cast(summed.patrols as {{ dbt.type_bigint() }}) as patrols,
    cast(floor(summed.patrol_seconds / 60.0) as {{ dbt.type_bigint() }}) as patrol_minutes,
    cast(summed.patrol_km as decimal(18, 2)) as patrol_km,
    cast(summed.events_reported as {{ dbt.type_bigint() }}) as events_reported,
    placed.district_id
from summed
left join placed on placed.period = summed.period and placed.worker_id = summed.worker_id
