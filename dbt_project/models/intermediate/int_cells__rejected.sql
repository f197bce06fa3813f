-- Value-level quarantine: one row per cell of any extract whose non-empty value was rejected (the row itself stays
-- in the pipeline), with the file's column and a reason that never quotes the value (UU PDP 27/2022).
with

unioned as (
    select * from {{ ref('int_persons__unioned') }}
),

conformed as (
    select * from {{ ref('int_persons__conformed') }}
),

deaths as (
    select * from {{ ref('stg_dukcapil__deaths') }}
),

moves as (
    select * from {{ ref('stg_dukcapil__moves') }}
),

-- Rejected by staging: the cell is not in a form the contract accepts.
list_staging_issues as (
    select source, source_row, field, issue
    from (
        unpivot (
            select
                source,
                source_row,
                nik_issue as nik,
                no_kk_issue as no_kk,
                jenis_kelamin_issue as jenis_kelamin,
                rt_issue as rt,
                rw_issue as rw,
                kode_kelurahan_issue as kode_kelurahan,
                tanggal_lahir_issue as tanggal_lahir,
                desil_issue as desil
            from unioned
        )
        on nik, no_kk, jenis_kelamin, rt, rw, kode_kelurahan, tanggal_lahir, desil
        into name field value issue
    )
),

-- Rejected when conforming: well-formed, but not a usable identifier or name.
list_conform_issues as (
    select
        source,
        source_row,
        'nik' as field,
        case nik_problem when 'placeholder' then 'nik_repeated_digit' else 'nik_' || nik_problem end as issue
    from conformed
    where nik_problem not in ('malformed', 'missing')
    union all
    select source, source_row, 'no_kk', 'kk_invalid'
    from conformed
    where no_kk is not null and not kk_valid
    union all
    select source, source_row, 'nama', 'name_no_letters'
    from conformed
    where nullif(trim(nama_raw), '') is not null and nama is null
),

registry_issues as (
    select 'dukcapil_kematian' as source, source_row, field, issue
    from (
        unpivot (
            select source_row, nik_issue as nik, tanggal_lahir_issue as tanggal_lahir,
                   tanggal_kematian_issue as tanggal_kematian
            from deaths
        )
        on nik, tanggal_lahir, tanggal_kematian
        into name field value issue
    )
    union all
    select 'dukcapil_pindah', source_row, field, issue
    from (
        unpivot (select source_row, nik_issue as nik, tanggal_pindah_issue as tanggal_pindah from moves)
        on nik, tanggal_pindah
        into name field value issue
    )
),

issues as (
    select * from list_staging_issues
    union all
    select * from list_conform_issues
    union all
    select * from registry_issues
),

-- The column as the file names it, so the Dinas can find the cell.
file_columns as (
    {{ file_column_names() }}
),

explanations as (
    select * from (values
        ('id_placeholder', 'a placeholder (dash, zero or similar) treated as unknown'),
        ('id_spreadsheet_number', 'a spreadsheet number (3.17101E+15 style, or an Excel number cell), digits lost'),
        ('id_letters', 'not 16 digits (contains letters)'),
        ('id_wrong_length', 'not 16 digits (too few or too many digits)'),
        ('id_other_characters', 'not 16 digits (punctuation or other characters)'),
        ('nik_repeated_digit', 'not a valid NIK (one digit repeated)'),
        ('nik_unknown_region', 'not a valid NIK (unknown province or kab/kota code)'),
        ('nik_impossible_date', 'not a valid NIK (its date digits are no date)'),
        ('nik_serial_0000', 'not a valid NIK (serial 0000)'),
        ('nik_is_kk', 'not a valid NIK (the household''s No. KK typed as NIK)'),
        ('kk_invalid', 'not a valid No. KK (its date digits are no date, or serial 0000)'),
        ('date_impossible', 'not a date (31-02-2020 style impossible day or month)'),
        ('date_unrecognised', 'not a date (not YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY)'),
        ('date_placeholder', 'placeholder 1900-01-01 (or earlier, or zeros) treated as unknown'),
        ('date_future', 'after the quarter''s last day, treated as unknown'),
        ('date_after_extract', 'dated after any extract of the quarter could have been pulled, treated as unknown'),
        ('sex_unrecognised', 'not a sex code (L/P, LAKI-LAKI/PEREMPUAN)'),
        ('rt_rw_not_a_number', 'not a number of up to 3 digits'),
        ('rt_rw_zero', 'zero is no RT/RW number (1 to 999), treated as unknown'),
        ('kode_not_10_digits', 'not a 10-digit Kemendagri code'),
        ('desil_not_a_number', 'not a whole number'),
        ('desil_out_of_range', 'not a P3KE decile (1 to 4)'),
        ('name_no_letters', 'no letters (a number or formula typed as a name) treated as unknown')
    ) as t (issue, explanation)
)

select
    issues.source,
    issues.source_row,
    coalesce(file_columns.column_name, issues.field) as column_name,
    issues.issue,
    coalesce(file_columns.column_name, issues.field) || ': ' || explanations.explanation as reason
from issues
left join file_columns using (source, field)
left join explanations using (issue)
