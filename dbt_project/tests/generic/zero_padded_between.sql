{#
    Every non-null value is a number written with exactly `width` digits and lies between min_value and max_value
    (RT/RW: 3 digits, 001 to 999). Returns the offending rows' values only as a count in dbt's output.
#}
{% test zero_padded_between(model, column_name, width, min_value, max_value) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and not (
        length({{ column_name }}) = {{ width }}
        and {{ column_name }} = lpad(cast(try_cast({{ column_name }} as integer) as varchar), {{ width }}, '0')
        and try_cast({{ column_name }} as integer) between {{ min_value }} and {{ max_value }}
    )
{% endtest %}
