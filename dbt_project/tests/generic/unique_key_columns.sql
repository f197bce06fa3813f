{#
    No two rows share the values of `columns` (a composite key), written as a GROUP BY so that it scales
    (GX's and dbt_utils' self-join versions do not).
#}
{% test unique_key_columns(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
