-- A rejected cell whose row is missing from the ledger, or quarantined, would be a value nobody sees.
select cells.source, cells.source_row
from {{ ref('int_cells__rejected') }} as cells
left join {{ ref('record_ledger') }} as ledger using (source, source_row)
where cells.source in ('dtks', 'p3ke', 'carik')
    and (ledger.fate is null or ledger.fate = 'quarantined' or ledger.cell_issues is null)
