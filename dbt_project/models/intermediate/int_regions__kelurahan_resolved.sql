-- Every kelurahan written in the lists (with its kecamatan and kab/kota) resolved to a Jakarta kelurahan, or not.
--
-- In this order, the first that finds one wins (docs/landing_contract.md, "Regions as written"):
--   1. exact: the kelurahan's region key is a Kemendagri or BPS spelling (no two DKI kelurahan share a key);
--   2. alias: it is a reviewed alias (seeds/region_aliases.csv);
--   3. fuzzy: one edit (Damerau-Levenshtein 1: a letter wrong, missing, extra, or two swapped) from the key of
--      exactly one kelurahan of the written kecamatan, or, when the kecamatan cannot be read, of the written
--      kab/kota in Jakarta. Keys of 5 letters or more only. Within one kecamatan any two kelurahan keys are at
--      least 3 edits apart (2 within a kab/kota: TANGKI and ANGKE), so one edit cannot reach two of them.
-- The kecamatan is read the same way (exact key or alias, else one edit from exactly one kecamatan of the written
-- kab/kota, or of all Jakarta when no DKI kab/kota is written).
with

unioned as (
    select * from {{ ref('int_persons__unioned') }}
),

kelurahan_keys as (
    select * from {{ ref('int_regions__kelurahan_keys') }}
),

kecamatan_keys as (
    select * from {{ ref('int_regions__kecamatan_keys') }}
),

kabkota_keys as (
    select * from {{ ref('int_regions__kabkota_keys') }}
),

-- Keyed once per distinct spelling, not per row: region keys are regular-expression work.
written as (
    select distinct
        {{ region_key('kelurahan_raw', 'kelurahan') }} as kelurahan_key,
        {{ region_key('kecamatan_raw', 'kecamatan') }} as kecamatan_key,
        {{ kabkota_key('kabkota_raw') }} as kabkota_key
    from (select distinct kelurahan_raw, kecamatan_raw, kabkota_raw from unioned) as spellings
),

with_kabkota as (
    select written.*, case when kab.is_dki then kab.kode_kabkota end as kode_kabkota
    from written
    left join kabkota_keys as kab on kab.kabkota_key = written.kabkota_key
),

kecamatan_fuzzy as (
    select w.kecamatan_key, w.kode_kabkota, min(k.kode_kecamatan) as kode_kecamatan
    from (select distinct kecamatan_key, kode_kabkota from with_kabkota) as w
    inner join kecamatan_keys as k
        on (w.kode_kabkota is null or k.kode_kabkota = w.kode_kabkota)
        and abs(length(k.kecamatan_key) - length(w.kecamatan_key)) <= 1
        and {{ region_edit_distance('k.kecamatan_key', 'w.kecamatan_key') }} = 1
    where length(w.kecamatan_key) >= 5
        and w.kecamatan_key not in (select kecamatan_key from kecamatan_keys)
    group by w.kecamatan_key, w.kode_kabkota
    having count(distinct k.kode_kecamatan) = 1
),

with_kecamatan as (
    select
        w.*,
        coalesce(exact.kode_kecamatan, fuzzy.kode_kecamatan) as kode_kecamatan
    from with_kabkota as w
    left join kecamatan_keys as exact on exact.kecamatan_key = w.kecamatan_key
    left join kecamatan_fuzzy as fuzzy
        on fuzzy.kecamatan_key = w.kecamatan_key and fuzzy.kode_kabkota is not distinct from w.kode_kabkota
),

kelurahan_unknown as (
    select distinct kelurahan_key, kode_kecamatan, kode_kabkota
    from with_kecamatan
    where length(kelurahan_key) >= 5
        and kelurahan_key not in (select kelurahan_key from kelurahan_keys)
),

-- The kelurahan of the written kecamatan, else of the written kab/kota: two equi-joins, not one join on
-- `a = b or (a is null and c = d)`, which DuckDB runs as a nested loop (every spelling against every kelurahan).
kelurahan_near as (
    {%- for level in ['kecamatan', 'kabkota'] %}
    {% if not loop.first %}union all{% endif %}
    select w.kelurahan_key, w.kode_kecamatan, w.kode_kabkota, k.kode_kelurahan
    from kelurahan_unknown as w
    inner join kelurahan_keys as k
        on k.kode_{{ level }} = w.kode_{{ level }}
        and abs(length(k.kelurahan_key) - length(w.kelurahan_key)) <= 1
        and {{ region_edit_distance('k.kelurahan_key', 'w.kelurahan_key') }} = 1
    {%- if level == 'kabkota' %}
    where w.kode_kecamatan is null
    {%- endif %}
    {%- endfor %}
),

kelurahan_fuzzy as (
    select kelurahan_key, kode_kecamatan, kode_kabkota, min(kode_kelurahan) as kode_kelurahan,
           case when kode_kecamatan is not null then 'fuzzy_kecamatan' else 'fuzzy_kabkota' end as matched_by
    from kelurahan_near
    group by kelurahan_key, kode_kecamatan, kode_kabkota
    having count(distinct kode_kelurahan) = 1
)

select
    w.kelurahan_key,
    w.kecamatan_key,
    w.kabkota_key,
    coalesce(exact.kode_kelurahan, fuzzy.kode_kelurahan) as kode_kelurahan,
    case
        when exact.spelling = 'alias' then 'alias'
        when exact.kode_kelurahan is not null then 'exact'
        else fuzzy.matched_by
    end as matched_by
from with_kecamatan as w
left join kelurahan_keys as exact on exact.kelurahan_key = w.kelurahan_key
left join kelurahan_fuzzy as fuzzy
    on fuzzy.kelurahan_key = w.kelurahan_key
    and fuzzy.kode_kecamatan is not distinct from w.kode_kecamatan
    and fuzzy.kode_kabkota is not distinct from w.kode_kabkota
