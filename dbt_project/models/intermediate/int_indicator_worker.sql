-- Per month, item of a township scheme and grid worker: the indicators that make sense for one
-- worker, with the item's thresholds, so that a township can see who is short and by how much.
--   events_per_worker              the worker's new events / 1
--   worker_event_quota_rate        1 if the worker reported >= min_events, else 0 (of 1)
--   worker_hazard_quota_rate       1 if >= min_hazard_events valid safety-hazard events, else 0
--   patrol_compliance_rate         1 if >= min_patrol_minutes on every workday, else 0
--   special_population_visit_rate  the worker's assigned members visited / assigned
--   timeliness_rate                the worker's valid new events not overdue / valid new events
-- Village rows (int_indicator_village) add these numerators and denominators up.
with items as (
    select * from {{ ref('int_scheme_items_in_force') }}
    where
        scored_org_level = 'township'
        and indicator_id in (
            'events_per_worker', 'worker_event_quota_rate', 'worker_hazard_quota_rate',
            'patrol_compliance_rate', 'special_population_visit_rate', 'timeliness_rate'
        )
),

workers as (
    select
        workers.*,
        hierarchy.village_id,
        hierarchy.district_id
    from {{ ref('int_worker_monthly') }} as workers
    left join {{ ref('int_org_hierarchy') }} as hierarchy
        on hierarchy.period = workers.period and hierarchy.org_id = workers.grid_id
),

fractions as (
    select
        workers.period,
        items.scheme_id,
        items.item_id,
        items.indicator_id,
        workers.worker_id as org_id,
        workers.village_id,
        workers.township_id,
        workers.district_id,
        case items.indicator_id
            when 'events_per_worker' then workers.events_reported
            when 'worker_event_quota_rate' then case when workers.events_reported >= items.min_events then 1 else 0 end
            when 'worker_hazard_quota_rate' then case when workers.valid_hazard_events >= items.min_hazard_events then 1 else 0 end
            when 'patrol_compliance_rate' then case when workers.min_workday_patrol_minutes >= items.min_patrol_minutes then 1 else 0 end
            when 'special_population_visit_rate' then workers.special_population_visited
            when 'timeliness_rate' then workers.valid_events - workers.overdue_valid_events
        end as numerator,
        case items.indicator_id
            when 'special_population_visit_rate' then workers.special_population
            when 'timeliness_rate' then workers.valid_events
            else 1
        end as denominator
    from workers
    inner join items on items.period = workers.period
)

{{ with_indicator_value('fractions') }}
