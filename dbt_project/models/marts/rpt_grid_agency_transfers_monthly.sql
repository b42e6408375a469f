-- Per month, grid and dispatched agency (派驻机构): the grid's events transferred (流转) to the
-- agency and what became of them. Only transfers to an agency count, as in 流转率 and
-- rpt_grid_activity_monthly.transferred_events; only events filed under a grid have a grid. A
-- grid × agency pair without a transfer has no row.
with to_agencies as (
    select
        transfers.period,
        transfers.event_id,
        transfers.to_org_id as agency_id,
        agencies.org_name as agency_name
    from {{ ref('stg_event_transfers') }} as transfers
    inner join {{ ref('int_org_hierarchy') }} as agencies
        on agencies.period = transfers.period and agencies.org_id = transfers.to_org_id
        and agencies.org_level = 'agency'
),

grid_events as (
    select
        events.period, events.event_id, events.org_id as grid_id, events.village_id, events.township_id,
        events.district_id, events.is_closed
    from {{ ref('int_event_status') }} as events
    inner join {{ ref('int_org_hierarchy') }} as grids
        on grids.period = events.period and grids.org_id = events.org_id and grids.org_level = 'grid'
),

pairs as (
    select
        grid_events.period,
        grid_events.grid_id,
        grid_events.village_id,
        grid_events.township_id,
        grid_events.district_id,
        to_agencies.agency_id,
        to_agencies.agency_name,
        count(*) as transfers,
        count(distinct grid_events.event_id) as events_transferred,
        count(distinct case when grid_events.is_closed then grid_events.event_id end) as events_closed
    from to_agencies
    inner join grid_events on grid_events.period = to_agencies.period and grid_events.event_id = to_agencies.event_id
    group by
        grid_events.period, grid_events.grid_id, grid_events.village_id, grid_events.township_id, grid_events.district_id,
        to_agencies.agency_id, to_agencies.agency_name
)

select
    period,
    grid_id,
    village_id,
    township_id,
    agency_id,
    agency_name,
    cast(transfers as {{ dbt.type_bigint() }}) as transfers,
    cast(events_transferred as {{ dbt.type_bigint() }}) as events_transferred,
    cast(events_closed as {{ dbt.type_bigint() }}) as events_closed,
    {{ safe_divide('events_closed', 'events_transferred') }} as closure_rate,
    district_id
from pairs
