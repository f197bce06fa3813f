-- A rejected or reformatted cell whose row is missing from the ledger, or quarantined, or does not show it, would be
-- a value nobody sees. All five files: the registries' rows are in the ledger too.
select cells.source, cells.source_row
from {{ ref('int_cells__rejected') }} as cells
left join {{ ref('record_ledger') }} as ledger using (source, source_row)
where ledger.fate is null or ledger.fate = 'quarantined' or ledger.cell_issues is null
union all
select notes.source, notes.source_row
from {{ ref('int_cells__reformatted') }} as notes
left join {{ ref('record_ledger') }} as ledger using (source, source_row)
where ledger.fate is null or ledger.fate = 'quarantined' or ledger.cell_notes is null
