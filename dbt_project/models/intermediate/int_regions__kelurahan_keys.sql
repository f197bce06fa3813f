-- Jakarta's 267 kelurahan by region key: the Kemendagri and BPS spellings of the seed and the reviewed aliases.
with

kelurahan as (
    select * from {{ ref('dki_kelurahan') }}
),

aliases as (
    select * from {{ ref('region_aliases') }} where level = 'kelurahan'
),

spellings as (
    select {{ region_key('kelurahan', 'kelurahan') }} as kelurahan_key, kode as kode_kelurahan, 'kemendagri' as spelling
    from kelurahan
    union all
    select {{ region_key('nama_bps_kelurahan', 'kelurahan') }}, kode, 'bps' from kelurahan
    union all
    select {{ region_key('alias', 'kelurahan') }}, kode, 'alias' from aliases
)

-- One row per key and kelurahan: a BPS spelling equal to the Kemendagri one is the same key.
select
    spellings.kelurahan_key,
    spellings.kode_kelurahan,
    min(spellings.spelling) as spelling,
    kelurahan.kode_kecamatan,
    kelurahan.kode_kabkota
from spellings
inner join kelurahan on kelurahan.kode = spellings.kode_kelurahan
group by spellings.kelurahan_key, spellings.kode_kelurahan, kelurahan.kode_kecamatan, kelurahan.kode_kabkota
