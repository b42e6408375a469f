-- Per month and dispatched agency (派驻机构): events transferred to it (流转数), the distinct events
-- it handled (办理数), those closed by the month's end (结案数) and the closure rate. Every agency
-- has a row; an agency that received nothing has zeros and no rate (the bulletin prints '/').
with agencies as (
    select period, org_id as agency_id, org_name as agency_name, district_id
    from {{ ref('int_org_hierarchy') }}
    where org_level = 'agency'
),

received as (
    select
        transfers.period,
        transfers.to_org_id as agency_id,
        count(*) as transfers,
        count(distinct transfers.event_id) as events_handled,
        count(distinct case when events.is_closed then transfers.event_id end) as events_closed
    from {{ ref('stg_event_transfers') }} as transfers
    left join {{ ref('int_event_status') }} as events
        on events.period = transfers.period and events.event_id = transfers.event_id
    group by transfers.period, transfers.to_org_id
)

select
    agencies.period,
    agencies.agency_id,
    agencies.agency_name,
    cast(coalesce(received.events_handled, 0) as {{ dbt.type_bigint() }}) as events_handled,
    cast(coalesce(received.transfers, 0) as {{ dbt.type_bigint() }}) as transfers,
    cast(coalesce(received.events_closed, 0) as {{ dbt.type_bigint() }}) as events_closed,
    {{ safe_divide('received.events_closed', 'received.events_handled') }} as closure_rate,
    agencies.district_id
from agencies
left join received on received.period = agencies.period and received.agency_id = agencies.agency_id
