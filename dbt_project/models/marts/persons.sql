-- Every person of the quarter with their golden record and status, after the people in the loop: the rules'
-- status (int_persons__rule_status), then field results, the verification policy and upheld appeals
-- (docs/field_verification.md). Each human decision that changed a status is named on the person.
with

rules as (
    select * from {{ ref('int_persons__rule_status') }}
),

kelurahan as (
    select * from {{ ref('dki_kelurahan') }}
),

field_results as (
    select * from {{ source('review', 'field_results') }}
),

appeals as (
    select * from {{ source('review', 'appeals') }}
),

policy as (
    select * from {{ source('review', 'verification_policy') }}
),

-- The doubts a field visit can settle, one row per person and kind (worksheet_format.DOUBTS). Only people the
-- rules do not exclude for certain: a death under the person's own NIK needs no visit.
doubts as (
    select person_id, 'nik_dekat_dukcapil' as jenis_keraguan from rules
    where status in ('deceased_near_nik', 'moved_out_near_nik', 'nik_deactivated_near_nik')
    union all
    select person_id, 'nik_ganda' from rules where status = 'nik_conflict'
    union all
    select person_id, 'tanpa_nama' from rules where status = 'no_name'
    union all
    select person_id, 'kelurahan_tidak_dikenal' from rules where status = 'unresolved_kelurahan'
    union all
    select person_id, 'nik_tidak_cocok' from rules where status = 'eligible' and nik_fits_person = false
    union all
    select person_id, 'senama_meninggal' from rules where status = 'eligible' and death_namesake
),

-- A doubt is settled by a result that says the person lives in DKI (at the address, or moved within DKI).
open_doubts as (
    select doubts.person_id, doubts.jenis_keraguan, coalesce(policy.policy, 'publish') as policy
    from doubts
    left join field_results
        on field_results.person_id = doubts.person_id
        and field_results.jenis_keraguan = doubts.jenis_keraguan
        and field_results.hasil in ('masih_tinggal', 'pindah_dalam_dki')
    left join policy on policy.jenis_keraguan = doubts.jenis_keraguan
    where field_results.person_id is null
),

doubts_by_person as (
    select
        person_id,
        string_agg(jenis_keraguan, ' ' order by jenis_keraguan) as open_doubts,
        bool_or(policy = 'hold') as held,
        bool_or(jenis_keraguan = 'nik_dekat_dukcapil' and policy = 'publish') as near_nik_published
    from open_doubts
    group by person_id
),

-- The person's latest field result (a visit that found them dead or gone outranks an older one that did not).
latest_result as (
    select *
    from field_results
    qualify row_number() over (partition by person_id order by tanggal_kunjungan desc, result_id desc) = 1
),

settled_near_nik as (
    select distinct person_id from field_results
    where jenis_keraguan = 'nik_dekat_dukcapil' and hasil in ('masih_tinggal', 'pindah_dalam_dki')
),

-- A new kelurahan from the field: where the person moved within DKI, or the kelurahan of an address that did not
-- resolve.
new_kelurahan as (
    select person_id, kode_kelurahan_baru
    from field_results
    where kode_kelurahan_baru is not null
    qualify row_number() over (partition by person_id order by tanggal_kunjungan desc, result_id desc) = 1
),

decided as (
    select
        rules.*,
        case
            -- A field visit that found the person dead, gone from DKI or unknown excludes, unless the rules
            -- already exclude for certain (a registry record under the person's own NIK, no valid NIK, ...).
            when latest_result.hasil in ('meninggal', 'pindah_keluar_dki', 'tidak_dikenal')
                and rules.status in ('eligible', 'deceased_near_nik', 'moved_out_near_nik', 'nik_deactivated_near_nik')
                then case latest_result.hasil
                    when 'meninggal' then 'field_deceased'
                    when 'pindah_keluar_dki' then 'field_moved_out'
                    else 'field_not_known'
                end
            -- The visit (or the policy) says the near-NIK registry record is not this person's.
            when (settled_near_nik.person_id is not null or doubts_by_person.near_nik_published)
                and rules.status in ('deceased_near_nik', 'moved_out_near_nik', 'nik_deactivated_near_nik')
                then rules.status_if_verified
            when rules.status = 'unresolved_kelurahan' and new_kelurahan.person_id is not null then 'eligible'
            when rules.status = 'eligible' and doubts_by_person.held then 'held_for_verification'
            else rules.status
        end as status_after_field,
        latest_result.result_id as field_result_id,
        latest_result.hasil as field_result,
        doubts_by_person.open_doubts,
        new_kelurahan.kode_kelurahan_baru
    from rules
    left join latest_result using (person_id)
    left join settled_near_nik using (person_id)
    left join doubts_by_person using (person_id)
    left join new_kelurahan using (person_id)
),

final as (
    select
        decided.* exclude (status, status_after_field, kode_kelurahan_baru, kode_kelurahan, kode_kelurahan_bps,
                           kelurahan, kecamatan, kabkota, address_resolution),
        coalesce(kelurahan.kode, decided.kode_kelurahan) as kode_kelurahan,
        coalesce(kelurahan.kode_bps_kelurahan, decided.kode_kelurahan_bps) as kode_kelurahan_bps,
        coalesce(kelurahan.kelurahan, decided.kelurahan) as kelurahan,
        coalesce(kelurahan.kecamatan, decided.kecamatan) as kecamatan,
        coalesce(kelurahan.kabkota, decided.kabkota) as kabkota,
        case when kelurahan.kode is not null then 'dki' else decided.address_resolution end as address_resolution,
        -- An upheld appeal undoes an exclusion the province can overrule (a near NIK, a field result, a hold): the
        -- person gets the status the rules give without it. Others are refused by `satudata sanggah`.
        case
            when appeals.keputusan = 'diterima'
                and decided.status_after_field in ('deceased_near_nik', 'moved_out_near_nik', 'nik_deactivated_near_nik',
                                                   'field_deceased', 'field_moved_out', 'field_not_known',
                                                   'held_for_verification')
                then case when decided.status_if_verified = 'unresolved_kelurahan' and kelurahan.kode is not null
                          then 'eligible' else decided.status_if_verified end
            else decided.status_after_field
        end as status,
        decided.status as rule_status,
        decided.status_after_field,
        appeals.appeal_id,
        appeals.keputusan as appeal_decision
    from decided
    left join kelurahan on kelurahan.kode = decided.kode_kelurahan_baru
    left join appeals using (person_id)
)

select
    final.* exclude (status_after_field),
    -- Who changed the rules' status, if anyone: an upheld appeal, a field result, or the verification policy.
    case
        when final.status <> final.status_after_field then 'sanggahan'
        when final.status = final.rule_status then null
        when final.field_result_id is not null then 'verifikasi'
        else 'kebijakan'
    end as changed_by
from final
