{#- The civil-registry events a status is ranked from: every death with a NIK, and the moves and deactivations.
    `columns`: more columns of both relations to carry along. -#}
{% macro registry_events(deaths, moves, columns=[]) -%}
    {%- set carried = columns | join(', ') ~ (', ' if columns else '') -%}
    select nik, {{ carried }}'MENINGGAL' as status, tanggal_kematian as event_date, 1 as precedence, source_row,
        'dukcapil_kematian' as registry_source
    from {{ deaths }}
    where nik is not null
    union all
    select nik, {{ carried }}status_pindah, tanggal_pindah, 2, source_row, 'dukcapil_pindah'
    from {{ moves }}
    where nik is not null and status_pindah in ('PINDAH_KELUAR', 'PINDAH_DALAM_DKI', 'NONAKTIF')
{%- endmacro %}

{#- The event that counts comes first: a death outranks any move; among moves the latest by (date, source_row),
    a move without a readable date below every dated one (a person may move out and come back). -#}
{% macro registry_event_rank(partition_by) -%}
    row_number() over (partition by {{ partition_by }} order by precedence, event_date desc nulls last, source_row desc)
{%- endmacro %}
