-- Cells taken after reformatting, kept apart from rejections: a NIK or No. KK written with grouping separators, a
-- leading apostrophe or surrounding blanks is its 16 digits (staging's id_note). One row per such cell of any
-- extract, with the file's column and a reason that never quotes the value (UU PDP 27/2022).
with

unioned as (
    select * from {{ ref('int_persons__unioned') }}
),

deaths as (
    select * from {{ ref('stg_dukcapil__deaths') }}
),

moves as (
    select * from {{ ref('stg_dukcapil__moves') }}
),

notes as (
    select source, source_row, 'nik' as field, nik_note as note from unioned where nik_note is not null
    union all
    select source, source_row, 'no_kk', no_kk_note from unioned where no_kk_note is not null
    union all
    select 'dukcapil_kematian', source_row, 'nik', nik_note from deaths where nik_note is not null
    union all
    select 'dukcapil_pindah', source_row, 'nik', nik_note from moves where nik_note is not null
),

-- The column as the file names it, so the Dinas can find the cell.
file_columns as (
    {{ file_column_names() }}
),

explanations as (
    select * from (values
        ('id_reformatted', 'taken as its 16 digits (grouping spaces, dots or dashes, an apostrophe or blanks removed)')
    ) as t (note, explanation)
)

select
    notes.source,
    notes.source_row,
    coalesce(file_columns.column_name, notes.field) as column_name,
    notes.note,
    coalesce(file_columns.column_name, notes.field) || ': ' || explanations.explanation as reason
from notes
left join file_columns using (source, field)
left join explanations using (note)
