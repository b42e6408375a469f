-- Per month and grid worker: the special-population members assigned to the worker and how many
-- of them were visited at least once in the month. The one place visits are counted: grids and
-- townships add these rows up where the worker serves (the worker's grid).
with visited as (
    select distinct period, person_id from {{ ref('stg_special_population_visits') }}
)

select
    people.period,
    people.worker_id,
    workers.grid_id,
    count(*) as special_population,
    sum(case when visited.person_id is not null then 1 else 0 end) as special_population_visited
from {{ ref('stg_special_population') }} as people
inner join {{ ref('stg_grid_workers') }} as workers
    on workers.period = people.period and workers.worker_id = people.worker_id
left join visited on visited.period = people.period and visited.person_id = people.person_id
group by people.period, people.worker_id, workers.grid_id
