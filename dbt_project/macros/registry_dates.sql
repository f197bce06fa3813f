{#
    Event dates of the Dukcapil registries. An extract is pulled after its quarter closes (our schedule runs on
    the 15th of the next month), so events dated after the quarter's last day are normal and taken. A date more
    than `registry_extract_horizon_days` (default 92, one more quarter) after the quarter's last day cannot be in
    any extract of the quarter: a typo such as 2052 for 2025. It is rejected as a cell (date_after_extract), so it
    neither decides which move is the latest nor hides a stale registry from the gate's freshness check.
#}
{% macro registry_horizon() -%}
    {{ dbt.dateadd('day', var('registry_extract_horizon_days', 92), quarter_last_day()) }}
{%- endmacro %}

{# Why a non-empty registry event date is not taken (not a date, a 1900-01-01 placeholder, or past any extract), or null. #}
{% macro registry_event_date_issue(column) -%}
    coalesce(
        {{ date_form_issue(column) }},
        case
            when {{ parse_date(column) }} <= date '1900-01-01' then 'date_placeholder'
            when {{ parse_date(column) }} > {{ registry_horizon() }} then 'date_after_extract'
        end
    )
{%- endmacro %}

{# A registry event date, null when registry_event_date_issue rejects it. #}
{% macro registry_event_date(column) -%}
    case when {{ registry_event_date_issue(column) }} is null then {{ parse_date(column) }} end
{%- endmacro %}
