{#
    Region names as people write them, reduced to one matching key per level (docs/landing_contract.md,
    "Regions as written"): upper case, the level's prefix dropped (KEL., KELURAHAN, DESA, DS. / KEC., KECAMATAN /
    PROV., PROVINSI), letters only (spaces, dots and dashes do not count), and the pre-1972 spellings oe, dj, tj,
    sj modernised. The same macro keys the reference names and the written ones.
#}
{% macro region_key(column, level) -%}
    {%- set prefixes = {
        'kelurahan': 'KELURAHAN|DESA|KEL[.:\\s]|DS[.:\\s]',
        'kecamatan': 'KECAMATAN|KEC[.:\\s]',
        'provinsi': 'PROVINSI|PROV[.:\\s]',
    }[level] -%}
    {#- On the letters-only key, so that KRAMAT JATI and KRAMATJATI get the same key whatever the rule makes of it. -#}
    replace(replace(replace(replace(
        {{ name_key("regexp_replace(upper(trim(" ~ column ~ ")), '^(" ~ prefixes ~ ")\\s*', '')") }},
        'OE', 'U'), 'DJ', 'J'), 'TJ', 'C'), 'SJ', 'SY')
{%- endmacro %}

{# Edit distance between two region keys for the fuzzy step: Damerau-Levenshtein where the engine has it. #}
{% macro region_edit_distance(a, b) -%}
    {{ return(adapter.dispatch('region_edit_distance')(a, b)) }}
{%- endmacro %}

{% macro duckdb__region_edit_distance(a, b) -%}
    damerau_levenshtein({{ a }}, {{ b }})
{%- endmacro %}

{# Spark and most engines have Levenshtein only: a transposition then costs 2 and is not matched (never mismatched). #}
{% macro default__region_edit_distance(a, b) -%}
    levenshtein({{ a }}, {{ b }})
{%- endmacro %}

{# A written region value for the gate report: upper case, blanks collapsed; a value with digits is not shown. #}
{% macro written_region(column) -%}
    case
        when regexp_matches({{ column }}, '[0-9]') then '(value with digits)'
        else nullif(left(trim(regexp_replace(upper({{ column }}), '\s+', ' ', 'g')), 40), '')
    end
{%- endmacro %}
