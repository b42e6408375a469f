-- Per month, every scheme item in force in it (valid_from <= month <= valid_to, both YYYY-MM):
-- the one place a scheme's validity is applied. Each int_indicator_* model joins its units to the
-- items of its level on the month.
select
    months.period,
    items.*
from {{ ref('int_months') }} as months
inner join {{ ref('int_scheme_items') }} as items
    on items.valid_from <= months.period
    and (items.valid_to is null or items.valid_to >= months.period)
