-- Disputes of a month by the level that found them (乡镇 township, 村 village, 网格 grid), for the
-- district and for each township, with their share of the unit's disputes and their success rate.
with disputes as (
    select
        disputes.period,
        hierarchy.township_id,
        hierarchy.district_id,
        disputes.found_level,
        disputes.is_resolved
    from {{ ref('stg_disputes') }} as disputes
    inner join {{ ref('int_org_hierarchy') }} as hierarchy
        on hierarchy.period = disputes.period and hierarchy.org_id = disputes.org_id
),

by_unit as (
    select
        disputes.period,
        districts.org_id,
        'district' as org_level,
        disputes.found_level,
        count(*) as disputes,
        sum(case when disputes.is_resolved then 1 else 0 end) as disputes_resolved,
        districts.org_id as district_id
    from disputes
    inner join {{ ref('int_org_hierarchy') }} as districts
        on districts.period = disputes.period and districts.org_level = 'district'
    group by disputes.period, districts.org_id, disputes.found_level
    union all
    select
        period,
        township_id as org_id,
        'township' as org_level,
        found_level,
        count(*) as disputes,
        sum(case when is_resolved then 1 else 0 end) as disputes_resolved,
        district_id
    from disputes
    group by period, township_id, district_id, found_level
)

select
    by_unit.period,
    by_unit.org_id,
    by_unit.org_level,
    by_unit.found_level,
    cast(by_unit.disputes as {{ dbt.type_bigint() }}) as disputes,
    cast(sum(by_unit.disputes) over (partition by by_unit.period, by_unit.org_id) as {{ dbt.type_bigint() }}) as unit_disputes,
    {{ safe_divide('by_unit.disputes', 'sum(by_unit.disputes) over (partition by by_unit.period, by_unit.org_id)') }} as share_of_disputes,
    cast(by_unit.disputes_resolved as {{ dbt.type_bigint() }}) as disputes_resolved,
    {{ safe_divide('by_unit.disputes_resolved', 'by_unit.disputes') }} as resolution_rate,
    by_unit.district_id
from by_unit
