-- Per month, scheme item and grid: the numerator and denominator of the item's indicator.
-- Grid indicators (the grid scheme of seed 002 in brackets):
--   app_online_day_rate [日在线率]        days the grid's workers were online / days each was in service
--   app_minutes_per_online_day [日在线时长] minutes online / days online
--   app_km_per_online_day [日在线里程]     kilometres recorded / days online
--   valid_events [事件有效量]              new valid events filed under the grid
--   timeliness_rate [及时率]               (new valid events - overdue ones) / new valid events
--   closure_rate [结案率]                  events due in the month and closed by its end / events due in the month
--   transfer_closure_rate [流转率]         events transferred to an agency (派驻机构) closed by the month's end
--                                         / events transferred to an agency
--   special_population_visit_rate [走访记录] members visited at least once / members
--   dispute_category_events [矛盾纠纷月报] new events of category 矛盾纠纷 filed under the grid
--   worker_online_share [系统维护]         workers online on at least one day / workers
--   score_adjustment_points [附加分]       the sum of the month's adjustments for the grid and scheme
with items as (
    select * from {{ ref('int_scheme_items_in_force') }}
    where scored_org_level = 'grid'
),

adjustments as (
    select period, scheme_id, org_id, {{ exact_sum('points') }} as points
    from {{ ref('stg_score_adjustments') }}
    group by period, scheme_id, org_id
),

fractions as (
    select
        grids.period,
        items.scheme_id,
        items.item_id,
        items.indicator_id,
        grids.grid_id as org_id,
        grids.district_id,
        case items.indicator_id
            when 'app_online_day_rate' then grids.days_online
            when 'app_minutes_per_online_day' then grids.online_minutes
            when 'app_km_per_online_day' then grids.app_distance_km
            when 'valid_events' then grids.new_valid_events
            when 'timeliness_rate' then grids.new_valid_events - grids.overdue_valid_events
            when 'closure_rate' then grids.events_due_in_month_closed
            when 'transfer_closure_rate' then grids.transferred_events_closed
            when 'special_population_visit_rate' then grids.special_population_visited
            when 'dispute_category_events' then grids.dispute_category_events
            when 'worker_online_share' then grids.workers_online
            when 'score_adjustment_points' then coalesce(adjustments.points, 0)
        end as numerator,
        case items.indicator_id
            when 'app_online_day_rate' then grids.worker_days_in_service
            when 'app_minutes_per_online_day' then grids.days_online
            when 'app_km_per_online_day' then grids.days_online
            when 'valid_events' then 1
            when 'timeliness_rate' then grids.new_valid_events
            when 'closure_rate' then grids.events_due_in_month
            when 'transfer_closure_rate' then grids.transferred_events
            when 'special_population_visit_rate' then grids.special_population
            when 'dispute_category_events' then 1
            when 'worker_online_share' then grids.workers
            when 'score_adjustment_points' then 1
        end as denominator
    from {{ ref('int_grid_monthly') }} as grids
    inner join items on items.period = grids.period
    left join adjustments
        on adjustments.period = grids.period
        and adjustments.scheme_id = items.scheme_id
        and adjustments.org_id = grids.grid_id
)

{{ with_indicator_value('fractions') }}
