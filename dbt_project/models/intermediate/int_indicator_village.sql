-- Per month, item of a township scheme and village/community: the township indicators that make
-- sense for a village. Worker indicators add up the village's workers' numerators and
-- denominators; the others count what was filed in the village and its grids:
--   events_per_10k_residents     new events filed in the village / (its census population / 10,000)
--   disputes_per_village_centre  disputes registered in the village / its centre (1 or 0)
-- Township-centre indicators (rules 2 and 7) have no village rows.
with items as (
    select * from {{ ref('int_scheme_items_in_force') }}
    where scored_org_level = 'township'
),

villages as (
    select period, org_id as village_id, district_id, population, case when has_centre then 1 else 0 end as village_centres
    from {{ ref('int_org_hierarchy') }}
    where org_level = 'village'
),

worker_sums as (
    select period, scheme_id, item_id, village_id, {{ exact_sum('numerator') }} as numerator, {{ exact_sum('denominator') }} as denominator
    from {{ ref('int_indicator_worker') }}
    where indicator_id <> 'timeliness_rate'
    group by period, scheme_id, item_id, village_id
),

events as (
    select
        period,
        village_id,
        cast(sum(new_events) as {{ dbt.type_bigint() }}) as new_events,
        sum(new_valid_events) as new_valid_events,
        sum(overdue_valid_events) as overdue_valid_events
    from {{ ref('int_event_counts') }}
    where village_id is not null
    group by period, village_id
),

disputes as (
    select disputes.period, hierarchy.village_id, count(*) as disputes
    from {{ ref('stg_disputes') }} as disputes
    inner join {{ ref('int_org_hierarchy') }} as hierarchy
        on hierarchy.period = disputes.period and hierarchy.org_id = disputes.org_id
    where hierarchy.village_id is not null
    group by disputes.period, hierarchy.village_id
),

fractions as (
    select
        villages.period,
        items.scheme_id,
        items.item_id,
        items.indicator_id,
        villages.village_id as org_id,
        villages.district_id,
        case items.indicator_id
            when 'events_per_10k_residents' then coalesce(events.new_events, 0)
            when 'disputes_per_village_centre' then coalesce(disputes.disputes, 0)
            when 'timeliness_rate' then coalesce(events.new_valid_events - events.overdue_valid_events, 0)
            else coalesce(worker_sums.numerator, 0)
        end as numerator,
        case items.indicator_id
            when 'events_per_10k_residents' then villages.population / 10000.0
            when 'disputes_per_village_centre' then villages.village_centres
            when 'timeliness_rate' then coalesce(events.new_valid_events, 0)
            else coalesce(worker_sums.denominator, 0)
        end as denominator
    from villages
    inner join items on items.period = villages.period
    left join worker_sums
        on worker_sums.period = villages.period and worker_sums.village_id = villages.village_id
        and worker_sums.scheme_id = items.scheme_id and worker_sums.item_id = items.item_id
    left join events on events.period = villages.period and events.village_id = villages.village_id
    left join disputes on disputes.period = villages.period and disputes.village_id = villages.village_id
    where items.indicator_id not in ('township_centre_quota_rate', 'events_per_township_centre', 'transfers_per_township_centre')
)

{{ with_indicator_value('fractions') }}
