-- Per month and dispatched agency (派驻机构): the events transferred to it and what became of them
-- (流转数, 办理数, 结案数), how long they took, from the first transfer to the agency to the event's
-- close (median and 90th percentile, hours, events closed by the month's end), and the share of its
-- events that were overdue. Every agency has a row. rpt_agency_handling_monthly prints its counts.
with agencies as (
    select period, org_id as agency_id, org_name as agency_name, district_id
    from {{ ref('int_org_hierarchy') }}
    where org_level = 'agency'
),

received as (
    -- one row per agency and event: the first transfer to it, and how often it was transferred there
    select period, to_org_id as agency_id, event_id, min(transferred_at) as transferred_at, count(*) as transfers
    from {{ ref('stg_event_transfers') }}
    group by period, to_org_id, event_id
),

handled as (
    select
        received.period,
        received.agency_id,
        received.transfers,
        coalesce(status.is_closed, false) as is_closed,
        coalesce(status.is_overdue, false) as is_overdue,
        case
            when status.is_closed
                then {{ dbt.datediff('received.transferred_at', 'status.closed_at', 'second') }} / 3600.0
        end as handling_hours
    from received
    left join {{ ref('int_event_status') }} as status
        on status.period = received.period and status.event_id = received.event_id
),

summary as (
    select
        period,
        agency_id,
        count(*) as events_handled,
        sum(transfers) as transfers,
        sum(case when is_closed then 1 else 0 end) as events_closed,
        sum(case when is_overdue then 1 else 0 end) as events_overdue,
        percentile_cont(0.5) within group (order by handling_hours) as median_hours,
        percentile_cont(0.9) within group (order by handling_hours) as p90_hours
    from handled
    group by period, agency_id
)

select
    agencies.period,
    agencies.agency_id,
    agencies.agency_name,
    cast(coalesce(summary.events_handled, 0) as {{ dbt.type_bigint() }}) as events_handled,
    cast(coalesce(summary.events_closed, 0) as {{ dbt.type_bigint() }}) as events_closed,
    cast({{ round_half_up('summary.median_hours', 1) }} as decimal(18, 1)) as median_handling_hours,
    cast({{ round_half_up('summary.p90_hours', 1) }} as decimal(18, 1)) as p90_handling_hours,
    cast(coalesce(summary.events_overdue, 0) as {{ dbt.type_bigint() }}) as events_overdue,
    {{ safe_divide('summary.events_overdue', 'summary.events_handled') }} as overdue_share,
    agencies.district_id,
    cast(coalesce(summary.transfers, 0) as {{ dbt.type_bigint() }}) as transfers
from agencies
left join summary on summary.period = agencies.period and summary.agency_id = agencies.agency_id
