-- Scheme items with their thresholds as columns (NULL where an item has none).
select
    items.*,
    max(case when params.param_name = 'min_events' then params.param_value end) as min_events,
    max(case when params.param_name = 'min_disputes' then params.param_value end) as min_disputes,
    max(case when params.param_name = 'min_hazard_events' then params.param_value end) as min_hazard_events,
    max(case when params.param_name = 'min_patrol_minutes' then params.param_value end) as min_patrol_minutes
from {{ ref('stg_scheme_items') }} as items
left join {{ ref('stg_scheme_params') }} as params
    on params.scheme_id = items.scheme_id and params.valid_from = items.valid_from and params.item_id = items.item_id
group by
    {%- for column in [
        'scheme_id', 'scheme_title_zh', 'scored_org_level', 'valid_from', 'valid_to', 'item_id',
        'display_order', 'rule_no', 'label_zh', 'group_zh', 'weight', 'indicator_id', 'standard', 'rule',
        'band_lo', 'band_hi', 'deduct_points', 'deduct_per', 'decimals', 'if_undefined', 'rule_text_zh'
    ] %}
    items.{{ column }}{{ "," if not loop.last }}
{%- endfor %}
