"""Personal data (UU PDP 27/2022) kept to its files: owner-only file modes and masking of ID numbers in text."""

from __future__ import annotations

import os
import re

# Group and others get nothing on any file or folder this process, or dbt started by it, creates.
PRIVATE_UMASK = 0o077

# Sixteen digits standing alone: the shape of a NIK or a No. KK.
_ID_NUMBER = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")


def restrict_new_files() -> None:
    """Make every file and folder created from now on owner-only (0600 files, 0700 folders)."""
    os.umask(PRIVATE_UMASK)


def redact(text: str) -> str:
    """`text` with the middle eight digits of every sixteen-digit number hidden: 3171********0001."""
    return _ID_NUMBER.sub(r"\1********\2", text)
