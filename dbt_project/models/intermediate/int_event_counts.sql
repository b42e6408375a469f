-- Per month, org unit an event is filed under and reporter: the new events of the month (carried-
-- over ones were counted in their own month) and how many of them are valid, overdue, due, closed,
-- disputes or safety hazards. The one place these are counted: grids, villages, townships and
-- workers add these rows up along org_id, village_id, township_id or reporter_id.
select
    period,
    org_id,
    village_id,
    township_id,
    reporter_role,
    reporter_id,
    count(*) as new_events,
    sum(case when is_valid then 1 else 0 end) as new_valid_events,
    sum(case when is_valid and is_overdue then 1 else 0 end) as overdue_valid_events,
    sum(case when is_due_in_month then 1 else 0 end) as events_due_in_month,
    sum(case when is_due_in_month and is_closed then 1 else 0 end) as events_due_in_month_closed,
    sum(case when category in (select word from {{ ref('stg_platform_words') }} where word_kind = 'dispute_category') then 1 else 0 end)
        as dispute_category_events,
    sum(case when is_valid and is_safety_hazard then 1 else 0 end) as valid_hazard_events
from {{ ref('int_event_status') }}
where not is_carried_over
group by period, org_id, village_id, township_id, reporter_role, reporter_id
