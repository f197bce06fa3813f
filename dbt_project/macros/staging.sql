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

{#
    A NIK or No. KK cell as people write it, before judging its digits: blanks of any kind (spaces, tabs, non-breaking
    spaces, a BOM) turned into spaces and trimmed, and a leading apostrophe (a spreadsheet's "this is text" marker)
    dropped.
#}
{% macro id_text(column) -%}
    regexp_replace(
        trim(regexp_replace(coalesce({{ column }}, ''), '[\s\x{00A0}\x{2007}\x{202F}\x{FEFF}]+', ' ', 'g')),
        '^'' *', ''
    )
{%- endmacro %}

{#
    Whether the cell is digits with grouping separators only between them: spaces, or one dot or dash (3171 0117
    0845 0012, 3171.0117.0845.0012, 3171-0117-0845-0012). Anything else (a slash, brackets, two dots, a letter) is
    not a way of writing a number and stays a rejection.
#}
{% macro id_is_grouped_digits(column) -%}
    regexp_full_match({{ id_text(column) }}, '[0-9]+(?:(?: *[.\-] *| +)[0-9]+)*')
{%- endmacro %}

{# How a spreadsheet writes a number it has rounded to 15 significant digits: 3.17101E+15, 3171...0.0. #}
{% macro id_is_spreadsheet_number(column) -%}
    regexp_full_match({{ id_text(column) }}, '[0-9]+([.,][0-9]+)?[eE]\+?[0-9]+|[0-9]+\.0+')
{%- endmacro %}

{#
    A NIK or No. KK as its 16 digits, also when written with grouping separators, an apostrophe or blanks around it
    (id_note says so); anything else (dashes, 15 or 17 digits, letters, spreadsheet numbers) is null.
#}
{% macro clean_id(column) -%}
    case
        when {{ id_is_grouped_digits(column) }}
            and not {{ id_is_spreadsheet_number(column) }}
            and length(regexp_replace({{ id_text(column) }}, '[^0-9]', '', 'g')) = 16
        then regexp_replace({{ id_text(column) }}, '[^0-9]', '', 'g')
    end
{%- endmacro %}

{#
    id_reformatted when the cell was taken (clean_id) but was not written as its bare 16 digits: separators,
    an apostrophe or blanks were removed. Null otherwise. A note, not a rejection: the value is used.
#}
{% macro id_note(column) -%}
    case when {{ clean_id(column) }} is not null and {{ column }} <> {{ clean_id(column) }} then 'id_reformatted' end
{%- endmacro %}

{#
    A registry's NIK: clean_id, except one digit written 16 times (0000000000000000, a filler for "unknown"), which
    is no NIK. The lists' conforming step calls that a placeholder (nik_problem); the registries have no such step,
    so staging says it (registry_nik_issue: id_placeholder) and the row counts as one without a readable NIK.
#}
{% macro registry_nik(column) -%}
    case when not {{ id_is_one_digit_repeated(clean_id(column)) }} then {{ clean_id(column) }} end
{%- endmacro %}

{% macro registry_nik_issue(column) -%}
    case when {{ id_is_one_digit_repeated(clean_id(column)) }} then 'id_placeholder' else {{ id_issue(column) }} end
{%- endmacro %}

{# Whether a 16-digit identifier is one digit written 16 times (0000000000000000): a filler, never an id. #}
{% macro id_is_one_digit_repeated(id) -%}
    ({{ id }} = repeat(left({{ id }}, 1), 16))
{%- endmacro %}

{# Why a non-empty NIK or No. KK cell is not 16 digits (clean_id is null), or null when it is (or is empty). #}
{% macro id_issue(column) -%}
    case
        when {{ id_text(column) }} = '' or {{ clean_id(column) }} is not null then null
        when regexp_full_match({{ id_text(column) }}, '[-0.]+|(?i:null|n/?a|tidak ada|belum ada)') then 'id_placeholder'
        when {{ id_is_spreadsheet_number(column) }} then 'id_spreadsheet_number'
        when regexp_matches({{ column }}, '[A-Za-z]') then 'id_letters'
        -- Digits, grouped or not, but not 16 of them.
        when {{ id_is_grouped_digits(column) }} then 'id_wrong_length'
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

{# RT or RW written 1, 01 or 001 as three digits; null when it is not a number from 1 to 999 (0 is no RT/RW). #}
{% macro pad_rt_rw(column) -%}
    case
        when regexp_full_match(trim({{ column }}), '[0-9]{1,3}') and try_cast(trim({{ column }}) as integer) between 1 and 999
        then lpad(trim({{ column }}), 3, '0')
    end
{%- endmacro %}

{# Why a non-empty RT or RW cell is not taken, or null when it is (or is empty). #}
{% macro rt_rw_issue(column) -%}
    case
        when nullif(trim({{ column }}), '') is null or {{ pad_rt_rw(column) }} is not null then null
        when regexp_full_match(trim({{ column }}), '0+') then 'rt_rw_zero'
        else 'rt_rw_not_a_number'
    end
{%- endmacro %}

{#
    A desil cell as a whole number (`2`, or `2.0` as a number cell may read), else null. Not a plain cast: DuckDB
    casts the text 1.5 to 2, and a decile nobody wrote must not appear.
#}
{% macro desil_number(column) -%}
    case
        when regexp_full_match(trim({{ column }}), '[0-9]{1,9}(\.0+)?')
        then cast(split_part(trim({{ column }}), '.', 1) as integer)
    end
{%- endmacro %}

{# P3KE's welfare decile as 1 to 4 (docs/landing_contract.md); null when it is no whole number in that range. #}
{% macro clean_desil(column) -%}
    case when {{ desil_number(column) }} between 1 and 4 then {{ desil_number(column) }} end
{%- endmacro %}

{# Why a non-empty desil cell is not taken, or null when it is (or is empty). #}
{% macro desil_issue(column) -%}
    case
        when nullif(trim({{ column }}), '') is null or {{ clean_desil(column) }} is not null then null
        when {{ desil_number(column) }} is not null then 'desil_out_of_range'
        else 'desil_not_a_number'
    end
{%- endmacro %}
