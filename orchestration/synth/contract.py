"""The landing contract as the generator writes it, derived from orchestration.ingest.contract."""

from __future__ import annotations

from orchestration.ingest.contract import EXTRACTS, P3KE, PERSON_SOURCES, REGISTRY_SOURCES

COLUMNS: dict[str, tuple[str, ...]] = {spec.source: spec.header for spec in EXTRACTS}
FILE_NAMES: dict[str, str] = {spec.source: spec.file_name for spec in EXTRACTS}
CSV_DIALECT: dict[str, tuple[str, str]] = {
    spec.source: (spec.delimiter, spec.encoding) for spec in EXTRACTS if not spec.is_workbook
}
P3KE_SHEET = P3KE.sheet
LIST_SOURCES = PERSON_SOURCES
REGISTRIES = REGISTRY_SOURCES
SOURCES = LIST_SOURCES + REGISTRIES
