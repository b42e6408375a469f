-- The district's headline figures of a month, as section 一 of the bulletin prints them; every
-- rate sits beside the counts it is computed from. One row per month and scheme, because the
-- thresholds (e.g. minutes of patrol a day) are the scheme's.
with months as (
    select * from {{ ref('int_months') }}
),

workers as (
    select
        period,
        count(*) as grid_workers,
        sum(case when days_online > 0 then 1 else 0 end) as workers_online
    from {{ ref('int_worker_monthly') }}
    group by period
),

events as (
    select
        period,
        sum(case when not is_carried_over then 1 else 0 end) as events_reported,
        sum(case when not is_carried_over and is_valid then 1 else 0 end) as events_valid,
        sum(case when not is_carried_over and not is_valid then 1 else 0 end) as events_invalid,
        sum(case when not is_carried_over and is_valid and is_overdue then 1 else 0 end) as events_overdue,
        sum(case when is_carried_over then 1 else 0 end) as carried_over_events,
        sum(case when not is_carried_over and is_valid and reporter_role = 'volunteer' then 1 else 0 end) as volunteer_events
    from {{ ref('int_event_status') }}
    group by period
),

disputes as (
    select
        period,
        count(*) as disputes,
        sum(case when is_resolved then 1 else 0 end) as disputes_resolved
    from {{ ref('stg_disputes') }}
    group by period
),

townships as (
    select
        period,
        sum(special_population) as special_population,
        sum(special_population_visited) as special_population_visited
    from {{ ref('int_township_monthly') }}
    group by period
),

districts as (
    select period, org_id, population from {{ ref('int_org_hierarchy') }}
    where org_level = 'district'
),

patrol as (
    select period, scheme_id, numerator as patrol_compliant_workers
    from {{ ref('fct_indicator_monthly') }}
    where org_level = 'district' and indicator_id = 'patrol_compliance_rate'
        {% if is_incremental() %}and {{ in_this_month() }}{% endif %}
),

schemes as (
    select distinct period, scheme_id from {{ ref('fct_indicator_monthly') }}
    {% if is_incremental() %}where {{ in_this_month() }}{% endif %}
)

select
    schemes.period,
    schemes.scheme_id,
    districts.org_id as district_id,
    cast(workers.grid_workers as {{ dbt.type_bigint() }}) as grid_workers,
    cast(workers.workers_online as {{ dbt.type_bigint() }}) as workers_online,
    {{ safe_divide('workers.workers_online', 'workers.grid_workers') }} as attendance_rate,
    months.workdays,
    cast(patrol.patrol_compliant_workers as {{ dbt.type_bigint() }}) as patrol_compliant_workers,
    {{ safe_divide('patrol.patrol_compliant_workers', 'workers.grid_workers') }} as patrol_compliance_rate,
    cast(townships.special_population as {{ dbt.type_bigint() }}) as special_population,
    cast(townships.special_population_visited as {{ dbt.type_bigint() }}) as special_population_visited,
    {{ safe_divide('townships.special_population_visited', 'townships.special_population') }} as visit_rate,
    districts.population,
    cast(events.events_reported as {{ dbt.type_bigint() }}) as events_reported,
    {{ safe_divide('events.events_reported', 'districts.population / 10000.0') }} as events_per_10k_residents,
    cast(events.events_valid as {{ dbt.type_bigint() }}) as events_valid,
    cast(events.events_invalid as {{ dbt.type_bigint() }}) as events_invalid,
    {{ safe_divide('events.events_valid', 'events.events_reported') }} as valid_rate,
    cast(events.events_overdue as {{ dbt.type_bigint() }}) as events_overdue,
    {{ safe_divide('events.events_valid - events.events_overdue', 'events.events_valid') }} as timeliness_rate,
    cast(events.carried_over_events as {{ dbt.type_bigint() }}) as carried_over_events,
    cast(events.volunteer_events as {{ dbt.type_bigint() }}) as volunteer_events,
    cast(coalesce(disputes.disputes, 0) as {{ dbt.type_bigint() }}) as disputes,
    cast(coalesce(disputes.disputes_resolved, 0) as {{ dbt.type_bigint() }}) as disputes_resolved,
    {{ safe_divide('disputes.disputes_resolved', 'disputes.disputes') }} as dispute_resolution_rate
from schemes
inner join months on months.period = schemes.period
inner join districts on districts.period = schemes.period
left join workers on workers.period = schemes.period
left join events on events.period = schemes.period
left join disputes on disputes.period = schemes.period
left join townships on townships.period = schemes.period
left join patrol on patrol.period = schemes.period and patrol.scheme_id = schemes.scheme_id
