with

source as (
    select * from {{ source('raw', 'dukcapil_kematian') }}
),

renamed as (
    select
        ---------- ids
        source_row,
        {{ registry_nik('nik') }} as nik,
        {{ registry_nik_issue('nik') }} as nik_issue,
        {{ id_note('nik') }} as nik_note,
        no_akta_kematian,

        ---------- strings
        nama_lgkp as nama_raw,

        ---------- dates
        {{ birth_date('tgl_lhr') }} as tanggal_lahir,
        {{ birth_date_issue('tgl_lhr') }} as tanggal_lahir_issue,
        -- A death dated after the quarter is normal (the extract is pulled later) and counts; one dated after any
        -- extract of the quarter could have been pulled is rejected (macros/registry_dates.sql).
        {{ registry_event_date('tgl_kematian') }} as tanggal_kematian,
        {{ registry_event_date_issue('tgl_kematian') }} as tanggal_kematian_issue

    from source
)

select * from renamed
