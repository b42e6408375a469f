-- Per month and township: the counts the township indicators divide.
with hierarchy as (
    select * from {{ ref('int_org_hierarchy') }}
),

townships as (
    select period, org_id as township_id, org_name, population,
           case when has_centre then 1 else 0 end as township_centres
    from hierarchy
    where org_level = 'township'
),

new_events as (
    select
        period,
        township_id,
        count(*) as new_events,
        sum(case when is_valid then 1 else 0 end) as new_valid_events,
        sum(case when is_valid and is_overdue then 1 else 0 end) as overdue_valid_events,
        sum(case when reporter_role = 'township_centre' and reporter_id = township_id then 1 else 0 end) as centre_events
    from {{ ref('int_event_status') }}
    where not is_carried_over
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
        people.period,
        hierarchy.township_id,
        count(*) as special_population,
        sum(case when visited.person_id is not null then 1 else 0 end) as special_population_visited
    from {{ ref('stg_special_population') }} as people
    inner join {{ ref('stg_grid_workers') }} as workers
        on workers.period = people.period and workers.worker_id = people.worker_id
    inner join hierarchy on hierarchy.period = people.period and hierarchy.org_id = workers.grid_id
    left join (
        select distinct period, person_id from {{ ref('stg_special_population_visits') }}
    ) as visited on visited.period = people.period and visited.person_id = people.person_id
    group by people.period, hierarchy.township_id
)

select
    townships.period,
    townships.township_id,
    townships.org_name,
    townships.population,
    townships.township_centres,
    coalesce(village_centres.village_centres, 0) as village_centres,
    coalesce(workers.workers, 0) as workers,
    coalesce(new_events.new_events, 0) as new_events,
    coalesce(new_events.new_valid_events, 0) as new_valid_events,
    coalesce(new_events.overdue_valid_events, 0) as overdue_valid_events,
    coalesce(new_events.centre_events, 0) as centre_events,
    coalesce(transfers.centre_transfers, 0) as centre_transfers,
    coalesce(disputes.disputes, 0) as disputes,
    coalesce(disputes.centre_disputes, 0) as centre_disputes,
    coalesce(special_population.special_population, 0) as special_population,
    coalesce(special_population.special_population_visited, 0) as special_population_visited
from townships
left join new_events on new_events.period = townships.period and new_events.township_id = townships.township_id
left join transfers on transfers.period = townships.period and transfers.township_id = townships.township_id
left join disputes on disputes.period = townships.period and disputes.township_id = townships.township_id
left join village_centres on village_centres.period = townships.period and village_centres.township_id = townships.township_id
left join workers on workers.period = townships.period and workers.township_id = townships.township_id
left join special_population on special_population.period = townships.period and special_population.township_id = townships.township_id
