-- Per month, org unit an event is filed under and reporter: the new events of the month (carried-
-- over ones were counted in their own month) and how many of them are valid, overdue, disputes or
-- safety hazards; and the events due in the month, new or carried over, with how many of those
-- were closed by its end. An event counts toward 结案率 in the month its deadline falls in, once:
-- reported on the 30th and due on the 3rd of the next month, it is due there, where the platform's
-- export carries it over (open at the month's start), and closed there if it was closed by that
-- month's end. The one place these are counted: grids, villages, townships and workers add these
-- rows up along org_id, village_id, township_id or reporter_id.
with dispute_categories as (
    -- the platform's own word(s) for a dispute (its mapping's vocabulary), never a fixed one
    select distinct word as category
    from {{ ref('stg_platform_words') }}
    where word_kind = 'dispute_category'
),

events as (
    select
        status.*,
        dispute_categories.category is not null as is_dispute_category
    from {{ ref('int_event_status') }} as status
    left join dispute_categories on dispute_categories.category = status.category
)

select
    period,
    org_id,
    village_id,
    township_id,
    reporter_role,
    reporter_id,
    sum(case when not is_carried_over then 1 else 0 end) as new_events,
    sum(case when not is_carried_over and is_valid then 1 else 0 end) as new_valid_events,
    sum(case when not is_carried_over and is_valid and is_overdue then 1 else 0 end) as overdue_valid_events,
    sum(case when is_due_in_month then 1 else 0 end) as events_due_in_month,
    sum(case when is_due_in_month and is_closed then 1 else 0 end) as events_due_in_month_closed,
    sum(case when not is_carried_over and is_dispute_category then 1 else 0 end) as dispute_category_events,
    sum(case when not is_carried_over and is_valid and is_safety_hazard then 1 else 0 end) as valid_hazard_events
from events
group by period, org_id, village_id, township_id, reporter_role, reporter_id
