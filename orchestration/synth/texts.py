"""Columns of millions of strings kept as Arrow arrays: a few bytes a value instead of a Python object each."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Strings built at a time when a column is made from Python objects: bounds the objects alive at once.
BUILD_ROWS = 500_000


class Texts:
    """An immutable string column indexed like a numpy array; indexing returns an object array of str."""

    def __init__(self, array: pa.Array | pa.ChunkedArray) -> None:
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
        self.array = array

    def __len__(self) -> int:
        return len(self.array)

    def take(self, index: np.ndarray) -> pa.Array:
        """The values at `index` (integers, or a boolean mask) as an Arrow array."""
        index = np.asarray(index)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        return self.array.take(pa.array(index.astype(np.int64, copy=False)))

    def __getitem__(self, index: np.ndarray) -> np.ndarray:
        return self.take(index).to_numpy(zero_copy_only=False)

    def present(self) -> np.ndarray:
        """Whether each value is there (not null)."""
        return self.array.is_valid().to_numpy(zero_copy_only=False)


def zero_padded(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """f"{prefix}{n:0{width}d}" for each integer 0 <= n < 10**width, without a Python object per value."""
    numbers = np.asarray(numbers, dtype=np.int64)
    if len(numbers) and not (0 <= numbers.min() and numbers.max() < 10**width):
        raise ValueError(f"numbers must lie between 0 and {10**width - 1}")
    head = prefix.encode("ascii")
    size = len(head) + width
    # Fixed-width text written digit by digit into one byte grid, then handed to Arrow as its data buffer.
    chars = np.empty((len(numbers), size), dtype=np.uint8)
    chars[:, : len(head)] = np.frombuffer(head, dtype=np.uint8)
    rest = numbers.copy()
    for column in range(size - 1, len(head) - 1, -1):
        chars[:, column] = rest % 10 + ord("0")
        rest //= 10
    offsets = np.arange(0, (len(numbers) + 1) * size, size, dtype=np.int32)
    return pa.StringArray.from_buffers(len(numbers), pa.py_buffer(offsets), pa.py_buffer(chars))


def built(n: int, make: Callable[[int, int], np.ndarray]) -> Texts:
    """A column of n strings made BUILD_ROWS at a time by `make(start, stop)` (an object array of str)."""
    parts = [pa.array(make(a, min(a + BUILD_ROWS, n)), pa.string()) for a in range(0, n, BUILD_ROWS)]
    return Texts(pa.chunked_array(parts, pa.string()))


def replaced(column: pa.Array, index: np.ndarray, values: list[str]) -> pa.Array:
    """`column` with the values at `index` (distinct, any order) replaced by `values`."""
    if not len(index):
        return column
    order = np.argsort(index, kind="stable")
    mask = np.zeros(len(column), dtype=bool)
    mask[np.asarray(index)[order]] = True
    return pc.replace_with_mask(column, pa.array(mask), pa.array([values[i] for i in order.tolist()], pa.string()))


class Coded:
    """A column of few distinct strings as small integer codes into a table; indexing returns str objects."""

    def __init__(self, codes: np.ndarray, table: list[str] | np.ndarray) -> None:
        self.codes = codes
        self.table = np.asarray(table, dtype=object)

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, index: np.ndarray) -> np.ndarray:
        return self.table[self.codes[index]]
