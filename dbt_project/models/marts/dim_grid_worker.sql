-- Grid workers (网格员) as of the latest month they appear in, placed in their grid, village and
-- township. Only the platform's id: names, phones and ID numbers never reach the warehouse.
-- Like dim_org_unit, a monthly run sees only its own month, so the workers it brings replace
-- their rows unless a later month already holds them.
{{ config(unique_key='worker_id') }}
with workers as (
    select
        workers.period,
        workers.worker_id,
        workers.grid_id,
        grids.village_id,
        grids.township_id,
        grids.district_id,
        workers.active_from,
        workers.active_to
    from {{ ref('stg_grid_workers') }} as workers
    left join {{ ref('int_org_hierarchy') }} as grids
        on grids.period = workers.period and grids.org_id = workers.grid_id
),

{{ latest_month_per_key('workers', 'worker_id') }}

select
    worker_id,
    grid_id,
    village_id,
    township_id,
    active_from,
    active_to,
    period as last_seen_period,
    district_id
from latest
