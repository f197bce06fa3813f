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
        {{ id_issue('nomor_nik') }} as nik_issue,
        {{ id_note('nomor_nik') }} as nik_note,
        {{ clean_id('nomor_kk') }} as no_kk,
        {{ id_issue('nomor_kk') }} as no_kk_issue,
        {{ id_note('nomor_kk') }} as no_kk_note,
        cast(null as boolean) as padan_dukcapil,

        ---------- strings
        nama as nama_raw,
        tempat_lahir,
        {{ clean_sex('jenis_kelamin') }} as jenis_kelamin,
        {{ rejected_as('jenis_kelamin', clean_sex('jenis_kelamin'), 'sex_unrecognised') }} as jenis_kelamin_issue,
        upper(trim(hubungan_keluarga)) as hubungan_keluarga,
        nama_ibu_kandung,
        bansos as program_bansos,

        ---------- address
        alamat,
        {{ pad_rt_rw('rt') }} as rt,
        {{ rt_rw_issue('rt') }} as rt_issue,
        {{ pad_rt_rw('rw') }} as rw,
        {{ rt_rw_issue('rw') }} as rw_issue,
        provinsi as provinsi_raw,
        kabupaten_kota as kabkota_raw,
        kecamatan as kecamatan_raw,
        desa_kelurahan as kelurahan_raw,
        cast(null as varchar) as kode_kelurahan_raw,

        ---------- dates
        {{ birth_date('tanggal_lahir') }} as tanggal_lahir,
        {{ birth_date_issue('tanggal_lahir') }} as tanggal_lahir_issue,

        ---------- numbers
        cast(null as integer) as desil

    from source
)

select * from renamed
