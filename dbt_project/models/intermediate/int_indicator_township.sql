-- Per month, scheme item and township: the numerator and denominator of the item's indicator,
-- computed with the item's thresholds. Indicators (rule numbers of seed 000 in brackets):
--   events_per_10k_residents [1]     new events of the month (valid or not) / (census population / 10,000)
--   township_centre_quota_rate [2]   township centres reporting >= min_events events (and, where the
--                                    item sets it, >= min_disputes disputes) themselves / township centres
--   events_per_township_centre [2]   events the township centres reported themselves / township centres
--   events_per_worker [3]            events the township's grid workers reported / its workers
--   worker_event_quota_rate [4]      workers with >= min_events reported events / workers
--   worker_hazard_quota_rate [5]     workers with >= min_hazard_events valid safety-hazard events / workers
--   disputes_per_village_centre [6]  disputes registered in the township (any level) / its village centres
--   transfers_per_township_centre [7] transfers made by the township centre / township centres
--   timeliness_rate [8]              (new valid events - overdue ones) / new valid events
--   patrol_compliance_rate [9]       workers with >= min_patrol_minutes on every workday / workers
--   special_population_visit_rate [10] members visited at least once / members
with items as (
    select * from {{ ref('int_scheme_items_in_force') }}
    where scored_org_level = 'township'
),

townships as (
    select * from {{ ref('int_township_monthly') }}
),

worker_counts as (
    select
        workers.period,
        workers.township_id,
        items.scheme_id,
        items.item_id,
        sum(workers.events_reported) as worker_events,
        sum(case when workers.events_reported >= items.min_events then 1 else 0 end) as workers_meeting_event_quota,
        sum(case when workers.valid_hazard_events >= items.min_hazard_events then 1 else 0 end) as workers_meeting_hazard_quota,
        sum(case when workers.min_workday_patrol_minutes >= items.min_patrol_minutes then 1 else 0 end) as workers_meeting_patrol_quota
    from {{ ref('int_worker_monthly') }} as workers
    inner join items on items.period = workers.period
    group by workers.period, workers.township_id, items.scheme_id, items.item_id
),

fractions as (
    select
        townships.period,
        items.scheme_id,
        items.item_id,
        items.indicator_id,
        townships.township_id as org_id,
        townships.district_id,
        case items.indicator_id
            when 'events_per_10k_residents' then townships.new_events
            when 'township_centre_quota_rate'
                then case
                        when
                            townships.township_centres > 0
                            and townships.centre_events >= items.min_events
                            and townships.centre_disputes >= coalesce(items.min_disputes, 0)
                            then townships.township_centres
                        else 0
                    end
            when 'events_per_township_centre' then townships.centre_events
            when 'events_per_worker' then coalesce(worker_counts.worker_events, 0)
            when 'worker_event_quota_rate' then coalesce(worker_counts.workers_meeting_event_quota, 0)
            when 'worker_hazard_quota_rate' then coalesce(worker_counts.workers_meeting_hazard_quota, 0)
            when 'disputes_per_village_centre' then townships.disputes
            when 'transfers_per_township_centre' then townships.centre_transfers
            when 'timeliness_rate' then townships.new_valid_events - townships.overdue_valid_events
            when 'patrol_compliance_rate' then coalesce(worker_counts.workers_meeting_patrol_quota, 0)
            when 'special_population_visit_rate' then townships.special_population_visited
        end as numerator,
        case items.indicator_id
            when 'events_per_10k_residents' then townships.population / 10000.0
            when 'township_centre_quota_rate' then townships.township_centres
            when 'events_per_township_centre' then townships.township_centres
            when 'events_per_worker' then townships.workers
            when 'worker_event_quota_rate' then townships.workers
            when 'worker_hazard_quota_rate' then townships.workers
            when 'disputes_per_village_centre' then townships.village_centres
            when 'transfers_per_township_centre' then townships.township_centres
            when 'timeliness_rate' then townships.new_valid_events
            when 'patrol_compliance_rate' then townships.workers
            when 'special_population_visit_rate' then townships.special_population
        end as denominator
    from townships
    inner join items on items.period = townships.period
    left join worker_counts
        on worker_counts.period = townships.period
        and worker_counts.township_id = townships.township_id
        and worker_counts.scheme_id = items.scheme_id
        and worker_counts.item_id = items.item_id
)

{{ with_indicator_value('fractions') }}
