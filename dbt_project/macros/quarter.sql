{# First and last day of the quarter this invocation builds (var `quarter`, e.g. 2025Q2). #}
{% macro quarter_first_day() -%}
    make_date(
        cast(left('{{ var("quarter") }}', 4) as integer),
        cast(right('{{ var("quarter") }}', 1) as integer) * 3 - 2,
        1
    )
{%- endmacro %}

{% macro quarter_last_day() -%}
    cast({{ quarter_first_day() }} + interval 3 month - interval 1 day as date)
{%- endmacro %}
