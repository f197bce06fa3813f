"""Shared synthetic quarters for the generator tests (generated once per session)."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import python_calamine

from orchestration.ingest.contract import P3KE
from orchestration.ingest.xlsx_reader import workbook_parts
from orchestration.synth import SynthConfig, generate_quarter
from orchestration.synth.contract import COLUMNS, CSV_DIALECT, FILE_NAMES

QUARTER = "2025Q2"
QUARTER_START = dt.date(2025, 4, 1)
QUARTER_END = dt.date(2025, 6, 30)
PEOPLE = 4000


@dataclass
class Generated:
    """A generated quarter: its folders, summary, truth tables and parsed files."""

    data_dir: Path
    people: int
    config: SynthConfig
    summary: dict
    persons: pd.DataFrame
    source_rows: pd.DataFrame
    rows: dict[str, list[list]]  # data rows per source, as read back (header removed)
    header: dict[str, list]

    @property
    def landing(self) -> Path:
        return self.data_dir / "landing" / QUARTER

    def joined(self, source: str) -> pd.DataFrame:
        """Truth rows of a source joined with the persons and with the file's own cells (prefixed f_)."""
        sr = self.source_rows[self.source_rows.source == source].sort_values("source_row")
        cells = pd.DataFrame(self.rows[source], columns=[f"f_{c}" for c in self.header[source]])
        cells["source_row"] = range(1, len(cells) + 1)
        return sr.merge(self.persons, on="person_id", how="left").merge(cells, on="source_row", how="left")


def read_csv_file(path: Path, source: str) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a contract CSV, read with its delimiter and encoding."""
    delimiter, encoding = CSV_DIALECT[source]
    with open(path, newline="", encoding=encoding) as f:
        rows = list(csv.reader(f, delimiter=delimiter))
    return rows[0], rows[1:]


def read_p3ke(path: Path) -> tuple[list, list[list]]:
    """Header and data rows of p3ke.xlsx as python_calamine returns them (numbers as float, dates as date).

    A workbook in several parts (Individu, Individu (2), ...) is read part after part; each has the header."""
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    header, rows = None, []
    for name in workbook_parts(P3KE, path, workbook.sheet_names):
        part = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        assert header is None or part[0] == header, f"sheet {name} has another header"
        header = part[0]
        rows += part[1:]
    return header, rows


def load(data_dir: Path, people: int, config: SynthConfig, summary: dict) -> Generated:
    """Read back everything a generated quarter wrote."""
    landing = data_dir / "landing" / QUARTER
    truth = data_dir / "truth" / QUARTER
    rows, header = {}, {}
    for source in COLUMNS:
        path = landing / FILE_NAMES[source]
        header[source], rows[source] = read_p3ke(path) if source == "p3ke" else read_csv_file(path, source)
    return Generated(
        data_dir,
        people,
        config,
        summary,
        pq.read_table(truth / "persons.parquet").to_pandas(),
        pq.read_table(truth / "source_rows.parquet").to_pandas(),
        rows,
        header,
    )


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """A default-configuration quarter of PEOPLE listed people."""
    data_dir = tmp_path_factory.mktemp("synth")
    config = SynthConfig()
    summary = generate_quarter(QUARTER, PEOPLE, data_dir=data_dir, config=config)
    return load(data_dir, PEOPLE, config, summary)


STRESS_PEOPLE = 8000


@pytest.fixture(scope="session")
def stressed(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """A quarter of the stress profile (every issue-11 phenomenon at several times its default rate)."""
    data_dir = tmp_path_factory.mktemp("synth_stress")
    config = SynthConfig.profile("stress")
    summary = generate_quarter(QUARTER, STRESS_PEOPLE, seed=7, data_dir=data_dir, config=config)
    return load(data_dir, STRESS_PEOPLE, config, summary)
