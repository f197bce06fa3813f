{#
    Parsing rules of the staging models. A value is either taken (cleaned) or rejected with an issue code, and
    every rejected non-empty value is recorded by int_cells__rejected, so that no cell is dropped silently.
    Issue codes never carry the value: they end up in the ledger, reports and Dagster metadata (UU PDP).
#}

{# A date in any of the contract's text forms (YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY); null when none fits. #}
{% macro parse_date(column) -%}
    try_strptime(trim({{ column }}), ['%Y-%m-%d', '%d-%m-%Y', '%d/%m/%Y'])::date
{%- endmacro %}

{# Why a non-empty date cell is not a date, or null when it is one (or is empty). #}
{% macro date_form_issue(column) -%}
    case
        when nullif(trim({{ column }}), '') is null or {{ parse_date(column) }} is not null then null
        -- Zeros, or a bare midnight: an Excel date cell of serial 0 (shown 00/01/1900, a spreadsheet's "no date")
        -- is read as a time of day.
        when regexp_full_match(trim({{ column }}), '0+[-/]0+[-/]0+|00:00(:00)?') then 'date_placeholder'
        -- The shape of a contract date with a day or month that does not exist (31-02-2020, month 13).
        when regexp_full_match(
            trim({{ column }}), '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}[-/][0-9]{1,2}[-/][0-9]{4}'
        ) then 'date_impossible'
        else 'date_unrecognised'
    end
{%- endmacro %}

{#
    Why a birth date is not taken: not a date, a placeholder for "unknown" (registries write 1900-01-01, and
    nobody listed for aid was born before 1900), or after the quarter's last day. Null when it is taken.
#}
{% macro birth_date_issue(column) -%}
    coalesce(
        {{ date_form_issue(column) }},
        case
            when {{ parse_date(column) }} <= date '1900-01-01' then 'date_placeholder'
            when {{ parse_date(column) }} > {{ quarter_last_day() }} then 'date_future'
        end
    )
{%- endmacro %}

{# A birth date, null when birth_date_issue rejects it: a placeholder must not make two people agree. #}
{% macro birth_date(column) -%}
    case when {{ birth_date_issue(column) }} is null then {{ parse_date(column) }} end
{%- endmacro %}

{# A 16-digit NIK or No. KK as text; anything else (dashes, 15 digits, letters, spreadsheet numbers) is null. #}
{% macro clean_id(column) -%}
    case when regexp_full_match(trim({{ column }}), '[0-9]{16}') then trim({{ column }}) end
{%- endmacro %}

{# Why a non-empty NIK or No. KK cell is not 16 digits (clean_id is null), or null when it is (or is empty). #}
{% macro id_issue(column) -%}
    case
        when nullif(trim({{ column }}), '') is null or {{ clean_id(column) }} is not null then null
        when regexp_full_match(trim({{ column }}), '[-0.]+|(?i:null|n/?a|tidak ada|belum ada)') then 'id_placeholder'
        -- How a spreadsheet writes a number it has rounded to 15 significant digits: 3.17101E+15, 3171...0.0.
        when regexp_full_match(trim({{ column }}), '[0-9]+([.,][0-9]+)?[eE]\+?[0-9]+|[0-9]+\.0+') then 'id_spreadsheet_number'
        when regexp_matches({{ column }}, '[A-Za-z]') then 'id_letters'
        when regexp_matches(trim({{ column }}), '\s') then 'id_spaces'
        when regexp_full_match(trim({{ column }}), '[0-9]+') then 'id_wrong_length'
        else 'id_other_characters'
    end
{%- endmacro %}

{# `issue` when a non-empty cell was cleaned to null (the value was rejected), else null. #}
{% macro rejected_as(column, cleaned, issue) -%}
    case when nullif(trim({{ column }}), '') is not null and ({{ cleaned }}) is null then '{{ issue }}' end
{%- endmacro %}

{# Sex as L or P from LAKI-LAKI/PEREMPUAN, Laki-laki/Perempuan, L/P. #}
{% macro clean_sex(column) -%}
    case
        when upper(trim({{ column }})) in ('L', 'LAKI-LAKI', 'LAKI LAKI', 'LK', 'PRIA') then 'L'
        when upper(trim({{ column }})) in ('P', 'PEREMPUAN', 'PR', 'WANITA') then 'P'
    end
{%- endmacro %}

{# RT or RW written 1, 01 or 001 as three digits; null when it is not a number. #}
{% macro pad_rt_rw(column) -%}
    case when regexp_full_match(trim({{ column }}), '[0-9]{1,3}') then lpad(trim({{ column }}), 3, '0') end
{%- endmacro %}
