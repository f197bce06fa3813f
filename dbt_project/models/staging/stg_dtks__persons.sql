with

source as (
    select * from {{ source('raw', 'dtks') }}
),

renamed as (
    select
        ---------- ids
        'dtks' as source,
        source_row,
        id_art_dtks as source_record_id,
        {{ clean_id('nomor_nik') }} as nik,
        {{ clean_id('nomor_kk') }} as no_kk,
        nomor_nik is not null and {{ clean_id('nomor_nik') }} is null as nik_malformed,
        cast(null as boolean) as padan_dukcapil,

        ---------- strings
        nama as nama_raw,
        tempat_lahir,
        {{ clean_sex('jenis_kelamin') }} as jenis_kelamin,
        upper(trim(hubungan_keluarga)) as hubungan_keluarga,
        nama_ibu_kandung,
        bansos as program_bansos,

        ---------- address
        alamat,
        {{ pad_rt_rw('rt') }} as rt,
        {{ pad_rt_rw('rw') }} as rw,
        provinsi as provinsi_raw,
        kabupaten_kota as kabkota_raw,
        kecamatan as kecamatan_raw,
        desa_kelurahan as kelurahan_raw,
        cast(null as varchar) as kode_kelurahan_raw,

        ---------- dates
        {{ parse_date('tanggal_lahir') }} as tanggal_lahir,
        tanggal_lahir is not null and {{ parse_date('tanggal_lahir') }} is null as tanggal_lahir_unparsed,

        ---------- numbers
        cast(null as integer) as desil

    from source
)

select * from renamed
