with

source as (
    select * from {{ source('raw', 'dukcapil_pindah') }}
),

renamed as (
    select
        ---------- ids
        source_row,
        {{ registry_nik('nik') }} as nik,
        {{ registry_nik_issue('nik') }} as nik_issue,
        {{ id_note('nik') }} as nik_note,

        ---------- strings
        nama_lgkp as nama_raw,
        upper(trim(status)) as status_pindah,
        try_cast(klasifikasi_pindah as integer) as klasifikasi_pindah,
        nullif(regexp_replace(trim(kode_wilayah_tujuan), '[^0-9]', '', 'g'), '') as kode_wilayah_tujuan,

        ---------- dates
        -- As for deaths: after the quarter is normal, after any extract of it is rejected (macros/registry_dates.sql).
        {{ registry_event_date('tgl_pindah') }} as tanggal_pindah,
        {{ registry_event_date_issue('tgl_pindah') }} as tanggal_pindah_issue

    from source
)

select * from renamed
