{# A date in any of the contract's text forms (YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY); null when none fits. #}
{% macro parse_date(column) -%}
    try_strptime(trim({{ column }}), ['%Y-%m-%d', '%d-%m-%Y', '%d/%m/%Y'])::date
{%- endmacro %}

{# A 16-digit NIK or No. KK as text; anything else (dashes, 15 digits, letters, spreadsheet numbers) is null. #}
{% macro clean_id(column) -%}
    case when regexp_full_match(trim({{ column }}), '[0-9]{16}') then trim({{ column }}) end
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
