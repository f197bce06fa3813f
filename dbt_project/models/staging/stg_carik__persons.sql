with

source as (
    select * from {{ source('raw', 'carik') }}
),

renamed as (
    select
        ---------- ids
        'carik' as source,
        source_row,
        cast(null as varchar) as source_record_id,
        {{ clean_id('nik') }} as nik,
        {{ clean_id('no_kk') }} as no_kk,
        nik is not null and {{ clean_id('nik') }} is null as nik_malformed,
        cast(null as boolean) as padan_dukcapil,

        ---------- strings
        nama_lengkap as nama_raw,
        tempat_lahir,
        {{ clean_sex('jenis_kelamin') }} as jenis_kelamin,
        upper(trim(status_hubungan)) as hubungan_keluarga,
        cast(null as varchar) as nama_ibu_kandung,
        cast(null as varchar) as program_bansos,

        ---------- address
        alamat_domisili as alamat,
        {{ pad_rt_rw('rt') }} as rt,
        {{ pad_rt_rw('rw') }} as rw,
        cast(null as varchar) as provinsi_raw,
        kota as kabkota_raw,
        kecamatan as kecamatan_raw,
        kelurahan as kelurahan_raw,
        cast(null as varchar) as kode_kelurahan_raw,

        ---------- dates
        {{ parse_date('tanggal_lahir') }} as tanggal_lahir,
        tanggal_lahir is not null and {{ parse_date('tanggal_lahir') }} is null as tanggal_lahir_unparsed,

        ---------- numbers
        cast(null as integer) as desil

    from source
)

select * from renamed
