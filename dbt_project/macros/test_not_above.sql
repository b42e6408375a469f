{# Fails on rows where column_name exceeds the column `ceiling` (e.g. score above weight). #}
{% test not_above(model, column_name, ceiling) %}
select *
from {{ model }}
where {{ column_name }} > {{ ceiling }} + 1e-9
{% endtest %}
