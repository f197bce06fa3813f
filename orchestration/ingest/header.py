"""Matching a file's header row to the contract's columns."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from orchestration.ingest.contract import ExtractSpec
from orchestration.ingest.errors import LandingError

# A header cell that does not look like a column name may be a data row (a file without its header):
# it could hold a NIK or a name, so messages describe it by position instead of quoting it.
_NAME_LIKE = re.compile(r"^[A-Za-z_][A-Za-z0-9_ .\-]{0,63}$")


def _describe(cell: str, position: int, quote: bool = True) -> str:
    if quote and _NAME_LIKE.match(cell) and sum(ch.isdigit() for ch in cell) < 6:
        return f"'{cell}'"
    return f"a cell at position {position} that is not a column name (is the header row missing?)"


def normalise(cell: object) -> str:
    """A header cell as compared with the contract: trimmed and lower case."""
    return str(cell if cell is not None else "").strip().lower()


def match_header(spec: ExtractSpec, path: Path, header: list[object]) -> tuple[list[int], bool]:
    """Return, for each contract column, its position in the file, and whether the order differs.

    Raises LandingError naming every blank, duplicate, missing or unexpected column.
    """
    names = [normalise(cell) for cell in header]
    expected = list(spec.columns)
    # No contract name at all: the first row is data (the header is missing), and a name there is a person's.
    quote = any(name in expected for name in names)
    problems: list[str] = []
    columns: list[str] = []

    blanks = [str(i + 1) for i, name in enumerate(names) if not name]
    if blanks:
        problems.append(f"blank column name at position {', '.join(blanks)}")
    duplicates = sorted(name for name, count in Counter(names).items() if name and count > 1)
    for name in duplicates:
        described = _describe(name, names.index(name) + 1, quote)
        problems.append(f"column {described} appears {names.count(name)} times")
        if described.startswith("'"):
            columns.append(name)

    missing = [c for c in expected if c not in names]
    unexpected = [(i + 1, n) for i, n in enumerate(names) if n and n not in expected]
    if len(missing) == len(unexpected) and missing:
        # Same count: most likely renamed columns, so pair them up by position for a useful message.
        for column, (position, found) in zip(missing, unexpected):
            problems.append(f"missing column '{column}' (found {_describe(found, position, quote)} instead)")
            columns.append(column)
    else:
        for column in missing:
            problems.append(f"missing column '{column}'")
            columns.append(column)
        for position, found in unexpected:
            described = _describe(found, position, quote)
            problems.append(f"unexpected column {described}")
            if described.startswith("'"):
                columns.append(found)
    if problems:
        raise LandingError(
            path,
            "header does not match the contract: " + "; ".join(problems)
            + f" (expected: {', '.join(expected)})",
            column=columns[0] if columns else None,
        )
    positions = [names.index(c) for c in expected]
    return positions, positions != list(range(len(expected)))
