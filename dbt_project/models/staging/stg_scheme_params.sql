-- Thresholds of scheme items, one row per item and parameter.
select scheme_id, valid_from, item_id, param_name, param_value
from {{ source('raw', 'scheme_params') }}
