-- Every (indicator, level) the build produced, for the level its scheme scores, is in the list the
-- column catalogue is generated from (meta.indicators of fct_indicator_monthly.indicator_id), so
-- docs/columns.md cannot miss an indicator or a level. The list is keyed by what decides which
-- levels an indicator exists at (the indicator and its scheme's org_level), never by a scheme's
-- id: a district's own scheme under a new id builds and publishes like a shipped one.
{%- set catalogued = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == 'fct_indicator_monthly' -%}
        {%- for entry in node.columns['indicator_id'].meta['indicators'] -%}
            {%- for level in entry['levels'] -%}
                {%- do catalogued.append((entry['scheme_level'], entry['indicator_id'], level)) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif %}
with catalogued (scheme_level, indicator_id, org_level) as (
    values
    {%- for scheme_level, indicator_id, level in catalogued %}
        ('{{ scheme_level }}', '{{ indicator_id }}', '{{ level }}'){{ "," if not loop.last }}
    {%- endfor %}
),

scheme_levels as (
    select distinct
        scheme_id,
        scored_org_level
    from {{ ref('int_scheme_items') }}
)

select distinct
    built.scheme_id,
    scheme_levels.scored_org_level as scheme_level,
    built.indicator_id,
    built.org_level
from {{ ref('fct_indicator_monthly') }} as built
left join scheme_levels
    on built.scheme_id = scheme_levels.scheme_id
left join catalogued
    on
        scheme_levels.scored_org_level = catalogued.scheme_level
        and built.indicator_id = catalogued.indicator_id
        and built.org_level = catalogued.org_level
where catalogued.indicator_id is null and {{ in_this_month('built.period') }}
