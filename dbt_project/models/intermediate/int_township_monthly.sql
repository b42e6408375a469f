-- Per month and township: the counts the township indicators divide.
with hierarchy as (
    select * from {{ ref('int_org_hierarchy') }}
),

townships as (
    select
        period, org_id as township_id, org_name, population, district_id,
        case when has_centre then 1 else 0 end as township_centres
    from hierarchy
    where org_level = 'township'
),

new_events as (
    select
        period,
        township_id,
        cast(sum(new_events) as {{ dbt.type_bigint() }}) as new_events,
        sum(new_valid_events) as new_valid_events,
        sum(overdue_valid_events) as overdue_valid_events,
        sum(case when reporter_role = 'township_centre' and reporter_id = township_id then new_events else 0 end) as centre_events
    from {{ ref('int_event_counts') }}
    group by period, township_id
),

transfers as (
    select period, from_org_id as township_id, count(*) as centre_transfers
    from {{ ref('stg_event_transfers') }}
    group by period, from_org_id
),

disputes as (
    select
        disputes.period,
        hierarchy.township_id,
        count(*) as disputes,
        sum(case when disputes.org_id = hierarchy.township_id then 1 else 0 end) as centre_disputes
    from {{ ref('stg_disputes') }} as disputes
    inner join hierarchy on hierarchy.period = disputes.period and hierarchy.org_id = disputes.org_id
    group by disputes.period, hierarchy.township_id
),

village_centres as (
    select period, township_id, count(*) as village_centres
    from hierarchy
    where org_level = 'village' and has_centre
    group by period, township_id
),

workers as (
    select period, township_id, count(*) as workers
    from {{ ref('int_worker_monthly') }}
    group by period, township_id
),

special_population as (
    -- members are counted where their assigned worker serves
    select
        counts.period,
        hierarchy.township_id,
        cast(sum(counts.special_population) as {{ dbt.type_bigint() }}) as special_population,
        sum(counts.special_population_visited) as special_population_visited
    from {{ ref('int_special_population_counts') }} as counts
    inner join hierarchy on hierarchy.period = counts.period and hierarchy.org_id = counts.grid_id
    group by counts.period, hierarchy.township_id
)

{{ unit_counts('townships', 'township_id', {
    'village_centres': ['village_centres'],
    'workers': ['workers'],
    'new_events': ['new_events', 'new_valid_events', 'overdue_valid_events', 'centre_events'],
    'transfers': ['centre_transfers'],
    'disputes': ['disputes', 'centre_disputes'],
    'special_population': ['special_population', 'special_population_visited'],
}) }}
