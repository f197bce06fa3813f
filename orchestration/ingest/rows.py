"""What the readers hand to the loader: chunks of good rows and quarantined rows."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Quarantined:
    """A data row that could not be parsed, kept with the reason."""

    source_row: int
    reason: str
    raw_record: str | None = None
    column: str | None = None


@dataclass
class Chunk:
    """Up to a few hundred thousand parsed rows, column by column in contract order."""

    columns: list[list[str | None]]
    source_rows: list[int] = field(default_factory=list)
    numeric_cells: list[str | None] | None = None
    quarantined: list[Quarantined] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.source_rows)


@dataclass
class ReadStats:
    """What a reader saw in the whole file."""

    rows_read: int = 0
    reordered: bool = False
    trailing_blank_rows: int = 0
    # id column -> (cells that looked like spreadsheet numbers, filled cells)
    numeric_id_cells: dict[str, list[int]] = field(default_factory=dict)
