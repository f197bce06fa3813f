{#
    Every non-null value is exactly `width` digits (a NIK, a No. KK: 16). The linkage relies on it
    (orchestration/linkage/settings.py counts two NIKs' mismatched positions, which needs one width, before their
    edit distance). Returns the offending rows' values only as a count in dbt's output.
#}
{% test digits_of_width(model, column_name, width) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and not (length({{ column_name }}) = {{ width }} and translate({{ column_name }}, '0123456789', '') = '')
{% endtest %}
