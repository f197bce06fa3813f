{#
    Conforming rules shared by the intermediate models. Each is one SQL expression so that dbt unit tests pin it
    through the models that use it.
#}

{# Upper-case letters only, for matching region names whatever their spacing or punctuation ("Rawa Sari" = "RAWASARI"). #}
{% macro name_key(column) -%}
    nullif(regexp_replace(upper(coalesce({{ column }}, '')), '[^A-Z]', '', 'g'), '')
{%- endmacro %}

{# A kab/kota name without its administrative prefix, as a name key ("KOTA ADM. JAKARTA TIMUR" -> JAKARTATIMUR). #}
{% macro kabkota_key(column) -%}
    {{ name_key(
        "regexp_replace(upper(trim(" ~ column ~ ")), "
        ~ "'^(KABUPATEN ADMINISTRASI|KOTA ADMINISTRASI|KAB\\. ?ADM\\.?|KOTA ADM\\.?|KABUPATEN|KAB\\.?|KOTA)\\s+', '')"
    ) }}
{%- endmacro %}

{# A name as written, in upper case, with academic and religious titles and punctuation removed. #}
{% macro clean_name(column) -%}
    {#- The comma, degree and spacing steps run only where they can change the name: it has a comma, a dot, or a
        character other than letters, apostrophes and single spaces (2 % of names). The title step, anchored at
        the start, runs on every name. -#}
    {%- set written = "upper(trim(" ~ column ~ "))" -%}
    {%- set before_comma = "case when contains(" ~ written ~ ", ',') then regexp_replace(" ~ written
        ~ ", ',.*$', '') else " ~ written ~ " end" -%}
    {%- set no_title = "regexp_replace(" ~ before_comma
        ~ ", '^((H|DR|IR)\\.\\s*|(HJ|HAJI|HAJJAH|DRS|DRA|PROF)\\.?\\s+)+', '')" -%}
    {%- set no_degree = "case when contains(" ~ no_title ~ ", '.') then regexp_replace(" ~ no_title
        ~ ", '\\s(S|A|M)\\.[A-Z]{1,4}\\.?$', '') else " ~ no_title ~ " end" -%}
    nullif(trim(case
        when regexp_full_match({{ no_degree }}, '[A-Z'']+( [A-Z'']+)*') then {{ no_degree }}
        else regexp_replace({{ no_degree }}, '[^A-Z'']+', ' ', 'g')
    end), '')
{%- endmacro %}

{#
    A cleaned name (clean_name) in one spelling for matching: Muhammad, Siti, Abdul and Ahmad written out whatever
    their abbreviation or variant, and the pre-1972 spellings oe, dj, tj, sj modernised. Dukcapil keeps old
    spellings (SOETANTO), so this is a matching key, never the name published. The old j is today's y (WAHJUNI,
    WAHYUNI) while the old dj is today's j, so a j in a name cannot say which it was: j and y are one letter in the
    key (DJOKO, JOKO and YOKO all key YOKO).
#}
{% macro match_name(column) -%}
    {#- Only a name with a word to rewrite (a variant below, or OE or J, which DJ, TJ and SJ hold too) is split into
        words: about four in five names have none and are the key as they stand. -#}
    {%- set variants = {
        'MUHAMMAD': ['M', 'MOH', 'MUH', 'MHD', 'MOCH', 'MOHD', 'MUHAMAD', 'MOHAMMAD', 'MOHAMAD', 'MOCHAMAD',
                     'MOCHAMMAD', 'MUHAMMED', 'MUCHAMMAD', 'MUCHAMAD', 'MOEHAMMAD', 'MUHAMAT'],
        'SITI': ['ST', 'SITTI'],
        'ABDUL': ['ABD', 'ABDOEL', 'ABDOL'],
        'AHMAD': ['AHM', 'ACHMAD', 'AHMAT', 'ACHMAT'],
    } -%}
    case when regexp_matches({{ column }}, 'J|OE|(^| )({{ variants.values() | sum(start=[]) | join('|') }})( |$)')
    then array_to_string(
        list_transform(string_split({{ column }}, ' '), lambda w: case
            {%- for written, words in variants.items() %}
            when w in ('{{ words | join("', '") }}') then '{{ written }}'
            {%- endfor %}
            else replace(replace(replace(replace(replace(w, 'OE', 'U'), 'DJ', 'J'), 'TJ', 'C'), 'SJ', 'SY'), 'J', 'Y')
        end), ' ')
    else {{ column }} end
{%- endmacro %}

{#
    An address line in one form: upper case, Jalan/Jl./JL as JL, Gang/Gg. as GG, Kampung as KP, Kompleks as KOMP,
    Rusunawa as RUSUN, house-number words (No., Nomor) dropped, punctuation as spaces, and any "RT 003/RW 005" tail
    removed because RT and RW have their own columns.
#}
{% macro standardise_address(column) -%}
    {#- The RT/RW tail is looked for only in lines with RT in them, and the spacing step runs only on lines with
        punctuation (.,/) or a blank other than one space between words (three in four): the same line. -#}
    {%- set written = "upper(trim(" ~ column ~ "))" -%}
    {%- set no_rt_rw = "case when contains(" ~ written ~ ", 'RT') then regexp_replace(" ~ written
        ~ ", '\\bRT\\.?\\s*[0-9]+\\s*/?\\s*RW\\.?\\s*[0-9]+', '', 'g') else " ~ written ~ " end" -%}
    nullif(trim(array_to_string(list_filter(list_transform(
        string_split(
            case
                when regexp_full_match({{ no_rt_rw }}, '[^.,/\s]+( [^.,/\s]+)*') then {{ no_rt_rw }}
                else regexp_replace({{ no_rt_rw }}, '[.,/\s]+', ' ', 'g')
            end,
            ' '
        ),
        lambda w: case
            when w in ('JALAN', 'JLN') then 'JL'
            when w = 'GANG' then 'GG'
            when w = 'KAMPUNG' then 'KP'
            when w in ('KOMPLEKS', 'KOMPLEK', 'KOMPL') then 'KOMP'
            when w in ('RUSUNAWA', 'RUSUNAMI') then 'RUSUN'
            when w in ('NO', 'NOMOR', 'NOMER') then ''
            else w
        end
    ), lambda w: w <> ''), ' ')), '')
{%- endmacro %}

{# RT or RW written inside an address line ("... RT 003/RW 005"), three digits, when the column itself is empty. #}
{% macro rt_rw_from_address(column, part) -%}
    -- RT/RW 0 is no number (staging's rt_rw_zero), in an address line as in its own column.
    nullif(lpad(nullif(regexp_extract(
        upper({{ column }}), '\bRT\.?\s*([0-9]+)\s*/?\s*RW\.?\s*([0-9]+)', {{ 1 if part == 'rt' else 2 }}
    ), ''), 3, '0'), '000')
{%- endmacro %}

{#- Two birth dates (dates) of one year at most one typed error apart: the same, one digit of day or month, or day
    and month swapped. The year is the caller's to compare. -#}
{% macro birth_dates_one_typo_apart(a, b) -%}
    (levenshtein(strftime({{ a }}, '%m-%d'), strftime({{ b }}, '%m-%d')) <= 1
        or strftime({{ a }}, '%m-%d') = strftime({{ b }}, '%d-%m'))
{%- endmacro %}

{#
    Whether a NIK's date digits (7-12: DDMMYY, +40 on the day for women) are a date (of any sex): null without one.
#}
{% macro nik_fits_date(nik, date) -%}
    (cast(substr({{ nik }}, 7, 2) as integer) % 40 = day({{ date }})
     and substr({{ nik }}, 9, 4) = strftime({{ date }}, '%m%y'))
{%- endmacro %}

{#
    Whether a NIK's digits 7-12 (DDMMYY, +40 on the day for women) are a real date in 19YY or 20YY.
    The century is not encoded, so 29 February counts when either century makes it a leap day.
#}
{% macro nik_date_is_real(nik) -%}
    {#- Arithmetic, not try(make_date(...)): DuckDB's try() re-evaluates row by row wherever one row fails, which
        made this one test 4.6 s of CPU per million rows. 29 February: 20YY is a leap year when YY is divisible
        by 4 (2000 included), and 19YY never is when 20YY is not. -#}
    {%- set raw_day = "cast(substr(" ~ nik ~ ", 7, 2) as integer)" -%}
    {%- set month = "cast(substr(" ~ nik ~ ", 9, 2) as integer)" -%}
    {%- set yy = "cast(substr(" ~ nik ~ ", 11, 2) as integer)" -%}
    (
        ({{ raw_day }} between 1 and 31 or {{ raw_day }} between 41 and 71)
        and {{ month }} between 1 and 12
        and {{ raw_day }} % 40 <= case
            when {{ month }} = 2 then case when {{ yy }} % 4 = 0 then 29 else 28 end
            when {{ month }} in (4, 6, 9, 11) then 30
            else 31
        end
    )
{%- endmacro %}

{#
    Whether a NIK's date digits (7-12) are far from a birth date (YYYY-MM-DD text): at least two of day, month and
    year differ, not as a day/month swap, and not the 1 January filler of the same year. One typed error in a birth
    date leaves a person's own NIK near it; the head's NIK on a member's row ("NIK ganda") is far. The same rule as
    orchestration/linkage/settings.py nik_is_another_persons_sql, which the linkage model uses.
#}
{% macro nik_is_another_persons(nik, dob) -%}
    {{ nik_date_far(nik, "cast(substr(" ~ dob ~ ", 9, 2) as integer)", "cast(substr(" ~ dob ~ ", 6, 2) as integer)",
                    "substr(" ~ nik ~ ", 11, 2)", "substr(" ~ dob ~ ", 3, 2)") }}
{%- endmacro %}

{#
    The same rule on a birth date of type date: its parts read as numbers, not cut from its text, which cost a
    strftime per part and row (about 7 s of CPU a pass over 7 million people). The NIK must be all digits.
#}
{% macro nik_is_another_persons_on_date(nik, date) -%}
    {{ nik_date_far(nik, "day(" ~ date ~ ")", "month(" ~ date ~ ")",
                    "cast(substr(" ~ nik ~ ", 11, 2) as integer)", "year(" ~ date ~ ") % 100") }}
{%- endmacro %}

{#- The rule itself, on the birth date's day and month as numbers and the two years (the NIK's YY and the date's)
    as the caller compares them. -#}
{% macro nik_date_far(nik, d, m, year, y) -%}
    {%- set day = "(cast(substr(" ~ nik ~ ", 7, 2) as integer) % 40)" -%}
    {%- set month = "cast(substr(" ~ nik ~ ", 9, 2) as integer)" -%}
    (cast({{ day }} <> {{ d }} as integer) + cast({{ month }} <> {{ m }} as integer) + cast({{ year }} <> {{ y }} as integer) >= 2
     and not ({{ day }} = {{ m }} and {{ month }} = {{ d }} and {{ year }} = {{ y }})
     and not ({{ d }} = 1 and {{ m }} = 1 and {{ year }} = {{ y }}))
{%- endmacro %}
