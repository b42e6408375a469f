-- Every event of a month with the township and district it belongs to and whether it is overdue:
-- closed after its deadline, or still open when the deadline passed before the month ended.
select
    events.period,
    events.event_id,
    events.reporter_id,
    events.reporter_role,
    events.org_id,
    hierarchy.township_id,
    hierarchy.village_id,
    hierarchy.district_id,
    events.category,
    events.is_safety_hazard,
    events.is_valid,
    events.is_carried_over,
    events.quality_rating,
    events.closed_at,
    events.closed_at is not null and events.closed_at <= months.month_end as is_closed,
    -- due in this month, not an earlier one: each deadline belongs to one month (docs/scoring.md)
    events.due_at > months.first_day and events.due_at <= months.month_end as is_due_in_month,
    case
        when events.closed_at is not null then events.closed_at > events.due_at
        else events.due_at < months.month_end
    end as is_overdue
from {{ ref('stg_events') }} as events
inner join {{ ref('int_months') }} as months on months.period = events.period
left join {{ ref('int_org_hierarchy') }} as hierarchy
    on hierarchy.period = events.period and hierarchy.org_id = events.org_id
