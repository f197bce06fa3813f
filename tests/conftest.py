"""Shared fixtures: hand-made landing sets and a temporary data dir."""

from __future__ import annotations

import csv
import re
import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest
import xlsxwriter

# Keep every test off the network and out of the developer's own data dir.
os.environ["GX_ANALYTICS_ENABLED"] = "false"
os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
# Hypothesis caches what it learns of the source under ./.hypothesis even without an example database: not in the
# repository.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "satudata-hypothesis"))

from orchestration.ingest.contract import EXTRACTS  # noqa: E402

QUARTER = "2025Q2"

# Three plausible rows per file; the NIKs follow the structure but belong to nobody.
ROWS = {
    "dtks": [
        ["ART000000000001", "DKI JAKARTA", "KOTA ADM. JAKARTA TIMUR", "MATRAMAN", "PAL MERIAM", "JL. MAWAR NO. 12",
         "001", "002", "3175010101200001", "3175011203800001", "BUDI SANTOSO", "1980-03-12", "JAKARTA",
         "LAKI-LAKI", "SITI AMINAH", "KEPALA KELUARGA", "PKH, BPNT"],
        ["ART000000000002", "D.K.I. JAKARTA", "Jakarta Timur", "Matraman", "Palmeriam", "Jl. Mawar No. 12",
         "1", "2", "3175010101200001", "3175015506850002", "Hj. Sri Wahyuni", "15-06-1985", "BOGOR",
         "PEREMPUAN", "MARYATI", "ISTRI", ""],
        ["ART000000000003", "DKI JAKARTA", "JAKARTA TIMUR", "MATRAMAN", "PAL MERIAM", "JL MAWAR 12",
         "01", "02", "3175010101200001", "3175010902100003", "M. RIZKI", "09/02/2010", "JAKARTA", "L",
         "SRI WAHYUNI", "ANAK", "KJP Plus"],
    ],
    "p3ke": [
        ["P3KE0001", "IND0001", "DKI JAKARTA", "KOTA ADM. JAKARTA UTARA", "TANJUNG PRIOK", "SUNTER JAYA",
         "3172021002", 1, "JL. AGUNG 3", "AHMAD FAUZI", "3172022107750004", "YA", "LAKI-LAKI",
         "KEPALA KELUARGA", dt.date(1975, 7, 21)],
        ["P3KE0001", "IND0002", "DKI JAKARTA", "KOTA ADM. JAKARTA UTARA", "TANJUNG PRIOK", "SUNTER JAYA",
         "3172021002", 1, "JL. AGUNG 3", "SITI NURHALIZA", "3172024508780005", "YA", "PEREMPUAN", "ISTRI",
         "05-08-1978"],
        ["P3KE0002", "IND0003", "DKI JAKARTA", "KOTA ADM. JAKARTA UTARA", "KOJA", "TUGU UTARA",
         "3172031001", 2, "GG. H. SAAMAN 5", "DJOKO SOESILO", "3172030101500006", "TIDAK", "L",
         "KEPALA KELUARGA", dt.date(1950, 1, 1)],
    ],
    "carik": [
        ["3174090101150007", "3174091010900007", "DEWI LESTARI", "Perempuan", "JAKARTA", "10/10/1990", "ISTRI",
         "Jl. Moh. Kahfi II No. 7", "3", "4", "Srengseng Sawah", "Jagakarsa", "Jakarta Selatan", "Mawar 1"],
        ["3174090101150007", "3174091212880008", "Andi Wijaya", "Laki-laki", "MEDAN", "12-12-1988",
         "KEPALA KELUARGA", "Jl. Moh. Kahfi II No. 7", "003", "004", "SRENGSENG SAWAH", "JAGAKARSA",
         "KOTA ADMINISTRASI JAKARTA SELATAN", "Mawar 1"],
        ["3174090101150007", "3174090505150009", "Putri Ayu", "P", "JAKARTA", "2015-05-05", "ANAK",
         "Jl. Moh. Kahfi II No. 7", "03", "04", "Srengseng Sawah", "Jagakarsa", "Jakarta Selatan", "Mawar 1"],
    ],
    "dukcapil_kematian": [
        ["3175011203800001", "BUDI SANTOSO", "12-03-1980", "2025-04-30", "3175-KM-30042025-0001"],
        ["3201010101400010", "SUPARMAN", "01-01-1940", "2024-11-02", "3175-KM-02112024-0002"],
    ],
    "dukcapil_pindah": [
        ["3172022107750004", "AHMAD FAUZI", "2025-05-02", "5", "3273", "PINDAH_KELUAR"],
        ["3174091010900007", "DEWI LESTARI", "2025-06-01", "3", "3174051001", "PINDAH_DALAM_DKI"],
        ["3172030101500006", "DJOKO SOESILO", "2025-04-10", "", "", "NONAKTIF"],
    ],
}

HEADERS = {spec.source: list(spec.header) for spec in EXTRACTS}
FORMATS = {spec.source: (spec.delimiter, spec.encoding) for spec in EXTRACTS if not spec.is_workbook}


def write_csv(path: Path, header: list[str], rows: list[list], delimiter: str, encoding: str = "utf-8") -> Path:
    """Write a delimited file the way the contract says."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list], sheet: str = "Individu",
               number_columns: tuple[str, ...] = (), number_rows: set[int] | None = None) -> Path:
    """Write a workbook; columns in number_columns are Excel numbers (in every row, or only number_rows, 1-based)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    worksheet = workbook.add_worksheet(sheet)
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    worksheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                worksheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif header[c] in number_columns and value not in ("", None) and (number_rows is None or r in number_rows):
                # What Excel stores for a 16-digit number: 15 significant digits, the 16th lost.
                worksheet.write_number(r, c, float(re.sub(r"\D", "", str(value))[:15] + "0"))
            elif isinstance(value, (int, float)):
                worksheet.write_number(r, c, value)
            else:
                worksheet.write_string(r, c, str(value))
    workbook.close()
    return path


def write_landing(data_dir: Path, quarter: str = QUARTER) -> Path:
    """A complete, valid landing set of three rows per file; returns the landing folder."""
    landing = data_dir / "landing" / quarter
    for source, (delimiter, encoding) in FORMATS.items():
        write_csv(landing / f"{source}.csv", HEADERS[source], ROWS[source], delimiter, encoding)
    write_xlsx(landing / "p3ke.xlsx", HEADERS["p3ke"], ROWS["p3ke"])
    return landing


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def landing(data_dir: Path) -> Path:
    return write_landing(data_dir)


# Tests that share a package- or session-scoped fixture (one UI and its backfill, the operated data dir, the
# generated sample) run on one xdist worker, and so do the tests of one module (module-scoped pipeline runs).
SHARED_PACKAGES = ("ui", "trust", "synth")
# The longest groups start first, so that the short ones fill in beside them instead of trailing alone at the end.
LONGEST_FIRST = ("trust", "ui", "defs/test_pipeline.py", "defs/test_ledger_property.py", "defs/test_person_ids.py",
                 "defs/test_hostile_values.py", "defs/test_gates.py", "test_cli.py")


def _group(path: str) -> str:
    """The xdist group of a test, from its path under tests/: a shared package, else its module."""
    parts = Path(path).parts
    return parts[0] if parts[0] in SHARED_PACKAGES else Path(*parts).as_posix()


def _relative(item) -> str:
    return Path(item.path).relative_to(Path(__file__).parent).as_posix()


def pytest_collection_modifyitems(items):
    rank = {group: i for i, group in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(_group(_relative(item)), len(rank)))  # stable: module order kept


@pytest.hookimpl
def pytest_xdist_make_scheduler(config, log):
    """Each group is one work unit for one worker (xdist's loadgroup cannot mark node ids under pytest 9)."""
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _group(nodeid.split("::")[0].removeprefix("tests/"))

    return GroupScheduling(config, log)
