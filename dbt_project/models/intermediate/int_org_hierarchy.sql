-- Every org unit of a month with the village and township it belongs to (grid -> village -> township).
with units as (
    select * from {{ ref('stg_org_units') }}
)

select
    unit.period,
    unit.org_id,
    unit.org_name,
    unit.org_level,
    unit.parent_org_id,
    unit.population,
    unit.has_centre,
    case unit.org_level
        when 'township' then unit.org_id
        when 'village' then parent.org_id
        when 'grid' then grandparent.org_id
    end as township_id,
    case unit.org_level
        when 'village' then unit.org_id
        when 'grid' then parent.org_id
    end as village_id
from units as unit
left join units as parent
    on parent.period = unit.period and parent.org_id = unit.parent_org_id
left join units as grandparent
    on grandparent.period = unit.period and grandparent.org_id = parent.parent_org_id
