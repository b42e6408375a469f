-- Every org unit of a month with the village, township and district it belongs to
-- (grid -> village -> township -> district; an agency's parent is its district or a township).
-- district_id is the nearest unit of level 'district' up the parent chain, the unit itself for a
-- district: the one place a row's district is derived, so that marts of several districts' months
-- can be told apart.
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
    end as village_id,
    case
        when unit.org_level = 'district' then unit.org_id
        when parent.org_level = 'district' then parent.org_id
        when grandparent.org_level = 'district' then grandparent.org_id
        when great_grandparent.org_level = 'district' then great_grandparent.org_id
    end as district_id
from units as unit
left join units as parent
    on parent.period = unit.period and parent.org_id = unit.parent_org_id
left join units as grandparent
    on grandparent.period = unit.period and grandparent.org_id = parent.parent_org_id
left join units as great_grandparent
    on great_grandparent.period = unit.period and great_grandparent.org_id = grandparent.parent_org_id
