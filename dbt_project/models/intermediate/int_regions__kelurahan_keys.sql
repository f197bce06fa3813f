-- Jakarta's 267 kelurahan under every spelling in the seeds (Kemendagri and BPS), by name key.
with

kelurahan as (
    select * from {{ ref('dki_kelurahan') }}
),

spellings as (
    select {{ name_key('kelurahan') }} as kelurahan_key, kode as kode_kelurahan from kelurahan
    union
    select {{ name_key('nama_bps_kelurahan') }}, kode from kelurahan
)

select
    spellings.kelurahan_key,
    spellings.kode_kelurahan,
    kelurahan.kode_kabkota
from spellings
inner join kelurahan on kelurahan.kode = spellings.kode_kelurahan
