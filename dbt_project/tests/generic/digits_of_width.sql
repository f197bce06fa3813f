{#
    Every non-null value is exactly `width` digits (a NIK, a No. KK: 16). The linkage's blocking rules rely on it
    (orchestration/linkage/settings.py compares the first and last 7 digits before the edit distance). Returns the
    offending rows' values only as a count in dbt's output.
#}
{% test digits_of_width(model, column_name, width) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and not (length({{ column_name }}) = {{ width }} and translate({{ column_name }}, '0123456789', '') = '')
{% endtest %}
