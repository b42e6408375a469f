-- Grid workers (网格员) as of the latest month they appear in, placed in their grid, village and
-- township. Only the platform's id: names, phones and ID numbers never reach the warehouse.
-- Like dim_org_unit, a monthly run sees only its own month, so the workers it brings replace
-- their rows unless a later month already holds them.
{{ config(unique_key='worker_id') }}
with ranked as (
    select
        workers.period,
        workers.worker_id,
        workers.grid_id,
        grids.village_id,
        grids.township_id,
        workers.active_from,
        workers.active_to,
        row_number() over (partition by workers.worker_id order by workers.period desc) as recency
    from {{ ref('stg_grid_workers') }} as workers
    left join {{ ref('int_org_hierarchy') }} as grids
        on grids.period = workers.period and grids.org_id = workers.grid_id
)

select
    worker_id,
    grid_id,
    village_id,
    township_id,
    active_from,
    active_to,
    period as last_seen_period
from ranked
where recency = 1
{% if is_incremental() %}
    and not exists (
        select 1 from {{ this }} as known
        where known.worker_id = ranked.worker_id and known.last_seen_period > ranked.period
    )
{% endif %}
