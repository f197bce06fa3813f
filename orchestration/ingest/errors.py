"""The error a landing file raises when it breaks the contract as a whole."""

from __future__ import annotations

from pathlib import Path


class LandingError(Exception):
    """A landing file cannot be loaded; the message names the file and, where known, the column and row.

    Messages never quote cell values: a value may be a NIK or a name (UU PDP 27/2022).
    """

    def __init__(self, path: Path | str, problem: str, *, column: str | None = None, row: int | None = None):
        self.path = Path(path)
        self.problem = problem
        self.column = column
        self.row = row
        super().__init__(f"{self.path}: {problem}")

    @property
    def file_name(self) -> str:
        return self.path.name
