"""Refusing a quarter whose landing folder is missing or holds none of the contract's files."""

from __future__ import annotations

from pathlib import Path

from orchestration.ingest.contract import EXTRACTS
from orchestration.ingest.errors import LandingError


def check_landing_folder(folder: Path) -> None:
    """Raise LandingError naming the folder and every contract file when none of them has landed."""
    # Every ingest asset checks this before it opens the warehouse, so an absent quarter leaves no raw tables:
    # a missing registry alone loads as an empty table, which for a quarter that never arrived would mislead.
    expected = ", ".join(spec.file_name for spec in EXTRACTS)
    if not folder.is_dir():
        raise LandingError(folder, f"landing folder does not exist: missing {expected}")
    if not any((folder / spec.file_name).is_file() for spec in EXTRACTS):
        raise LandingError(folder, f"landing folder holds none of the quarter's files: missing {expected}")
