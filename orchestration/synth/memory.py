"""Giving the memory a finished step freed back to the system before the next step."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

import pyarrow as pa


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: its allocator returns memory by itself, or never
        return None


def release_freed_memory() -> None:
    """Return the free pages of the C heap (glibc's malloc_trim) and of Arrow's memory pool to the system."""
    # Millions of numpy arrays of a few hundred KB (one household block, one run of rows) live on glibc's heap;
    # freed, they stay in the process's RSS until trimmed: at 2M people that was half of it.
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    pa.default_memory_pool().release_unused()
