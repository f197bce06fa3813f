"""The NIKs, No. KKs and names of landing files, read independently of the pipeline, for the audit's leak search."""

from __future__ import annotations

import csv
from pathlib import Path

import python_calamine

from orchestration.audit import NAME_COLUMNS, PersonalValues, find_in_bytes, scan_tree, without_repository_examples
from orchestration.ingest.contract import EXTRACTS

__all__ = ["PersonalValues", "find_in_bytes", "personal_values", "scan_tree"]


def _rows(spec, path: Path):
    if spec.is_workbook:
        # Every part of a list longer than a sheet (Individu, Individu (2), ...), each under its own header row.
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        parts = [iter(workbook.get_sheet_by_name(name).to_python()) for name in workbook.sheet_names
                 if name == spec.sheet or name.startswith(f"{spec.sheet} (")]
        headers = [next(part, []) for part in parts]
        header = [str(c).strip().lower() for c in headers[0]]
        return header, ([str(c) for c in row] for part in parts for row in part)
    handle = path.open(encoding="utf-8-sig", newline="")
    reader = csv.reader(handle, delimiter=spec.delimiter)
    header = [c.strip().lower() for c in next(reader)]
    return header, reader


def personal_values(*landing_dirs: Path) -> PersonalValues:
    """Every NIK, No. KK and full name in the landing files of the given quarter folders.

    Less the dbt project's made-up unit-test examples, which dbt rightly copies into its target folder.
    """
    found = PersonalValues()
    for landing in landing_dirs:
        for spec in EXTRACTS:
            path = landing / spec.file_name
            if not path.is_file():
                continue
            header, rows = _rows(spec, path)
            ids = [i for i, c in enumerate(header) if c in spec.id_columns]
            names = [i for i, c in enumerate(header) if c in NAME_COLUMNS[spec.source]]
            for row in rows:
                for i in ids:
                    found.add_id(row[i] if i < len(row) else None)
                for i in names:
                    found.add_name(row[i] if i < len(row) else None)
    return without_repository_examples(found)
