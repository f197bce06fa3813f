with

source as (
    select * from {{ source('raw', 'dukcapil_kematian') }}
),

renamed as (
    select
        ---------- ids
        source_row,
        {{ clean_id('nik') }} as nik,
        no_akta_kematian,

        ---------- strings
        nama_lgkp as nama_raw,

        ---------- dates
        {{ parse_date('tgl_lhr') }} as tanggal_lahir,
        {{ parse_date('tgl_kematian') }} as tanggal_kematian

    from source
)

select * from renamed
