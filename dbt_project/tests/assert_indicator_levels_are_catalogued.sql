-- Every (scheme, indicator, level) the build produced is in the list the column catalogue is
-- generated from (meta.indicators of fct_indicator_monthly.indicator_id), so docs/columns.md
-- cannot miss an indicator or a level.
{%- set catalogued = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == 'fct_indicator_monthly' -%}
        {%- for entry in node.columns['indicator_id'].meta['indicators'] -%}
            {%- for level in entry['levels'] -%}
                {%- do catalogued.append((entry['scheme_id'], entry['indicator_id'], level)) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif %}
with catalogued (scheme_id, indicator_id, org_level) as (
    values
    {%- for scheme_id, indicator_id, level in catalogued %}
        ('{{ scheme_id }}', '{{ indicator_id }}', '{{ level }}'){{ "," if not loop.last }}
    {%- endfor %}
)

select distinct built.scheme_id, built.indicator_id, built.org_level
from {{ ref('fct_indicator_monthly') }} as built
left join catalogued
    on catalogued.scheme_id = built.scheme_id and catalogued.indicator_id = built.indicator_id
    and catalogued.org_level = built.org_level
where catalogued.scheme_id is null and {{ in_this_month('built.period') }}
