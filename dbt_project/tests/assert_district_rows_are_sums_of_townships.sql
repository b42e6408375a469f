-- Totals equal the sum of their rows: each district row of the category and dispute breakdowns
-- is the sum of its townships' rows, and the headline's counts are the sums of the townships'.
with categories as (
    select period, category as breakdown, sum(case when org_level = 'district' then events else -events end) as difference
    from {{ ref('rpt_event_categories_monthly') }}
    where {{ in_this_month() }}
    group by period, category
),

disputes as (
    select
        period, found_level as breakdown,
        sum(case when org_level = 'district' then disputes else -disputes end)
        + sum(case when org_level = 'district' then disputes_resolved else -disputes_resolved end) as difference
    from {{ ref('rpt_disputes_by_level_monthly') }}
    where {{ in_this_month() }}
    group by period, found_level
),

townships as (
    select
        period, sum(events_reported) as events_reported, sum(valid_events) as valid_events,
        sum(invalid_events) as invalid_events, sum(overdue_events) as overdue_events,
        sum(carried_over_events) as carried_over_events, sum(disputes) as disputes, sum(grid_workers) as grid_workers
    from {{ ref('rpt_township_activity_monthly') }}
    where {{ in_this_month() }}
    group by period
),

headline as (
    select distinct
        headline.period, 'headline' as breakdown,
        abs(headline.events_reported - townships.events_reported) + abs(headline.events_valid - townships.valid_events)
        + abs(headline.events_invalid - townships.invalid_events) + abs(headline.events_overdue - townships.overdue_events)
        + abs(headline.carried_over_events - townships.carried_over_events) + abs(headline.disputes - townships.disputes)
        + abs(headline.grid_workers - townships.grid_workers) as difference
    from {{ ref('rpt_headline_monthly') }} as headline
    inner join townships on townships.period = headline.period
    where {{ in_this_month('headline.period') }}
)

select * from categories
where difference <> 0
union all
select * from disputes
where difference <> 0
union all
select * from headline
where difference <> 0
