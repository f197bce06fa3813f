-- The columns Splink compares, one row per list row: only valid identifiers, placeholders nulled.
with

conformed as (
    select * from {{ ref('int_persons__conformed') }}
)

select
    record_id as unique_id,
    source,
    -- Not compared: what a clerical decision names the record by across quarters (orchestration/review).
    source_record_id,
    case when nik_valid then nik end as nik,
    nama_match,
    split_part(nama_match, ' ', 1) as first_name,
    string_split(nama_match, ' ')[-1] as last_name,
    -- Placeholders (1900-01-01 and the like) are already null: staging takes them as unknown (birth_date_issue).
    strftime(tanggal_lahir, '%Y-%m-%d') as tanggal_lahir,
    jenis_kelamin,
    kode_kelurahan,
    case when kk_valid then no_kk end as no_kk,
    alamat,
    case when rt is not null and rw is not null then rt || '/' || rw end as rt_rw
from conformed
