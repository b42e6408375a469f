-- Per month and grid: events filed under the grid (new, valid, overdue, due and closed,
-- transferred), hazard events its workers reported, workers and visits. Analysts rank grids and
-- roll grids up to townships over many months from here; counts are BIGINT on every engine.
with hazard_reports as (
    select period, grid_id, sum(valid_hazard_events) as valid_hazard_events
    from {{ ref('int_worker_monthly') }}
    group by period, grid_id
)

select
    grids.period,
    grids.grid_id,
    grids.grid_name,
    grids.village_id,
    grids.township_id,
    cast(grids.workers as {{ dbt.type_bigint() }}) as grid_workers,
    cast(grids.workers_online as {{ dbt.type_bigint() }}) as workers_online,
    cast(grids.new_events as {{ dbt.type_bigint() }}) as events_reported,
    cast(grids.new_valid_events as {{ dbt.type_bigint() }}) as valid_events,
    cast(grids.overdue_valid_events as {{ dbt.type_bigint() }}) as overdue_events,
    cast(grids.events_due_in_month as {{ dbt.type_bigint() }}) as events_due_in_month,
    cast(grids.events_due_in_month_closed as {{ dbt.type_bigint() }}) as events_due_in_month_closed,
    cast(grids.transferred_events as {{ dbt.type_bigint() }}) as transferred_events,
    cast(coalesce(hazard_reports.valid_hazard_events, 0) as {{ dbt.type_bigint() }}) as worker_hazard_events,
    cast(grids.special_population as {{ dbt.type_bigint() }}) as special_population,
    cast(grids.special_population_visited as {{ dbt.type_bigint() }}) as special_population_visited,
    {{ safe_divide('grids.new_valid_events - grids.overdue_valid_events', 'grids.new_valid_events') }} as timeliness_rate,
    grids.district_id
from {{ ref('int_grid_monthly') }} as grids
left join hazard_reports
    on hazard_reports.period = grids.period and hazard_reports.grid_id = grids.grid_id
