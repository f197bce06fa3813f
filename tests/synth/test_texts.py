"""Columns of strings kept as Arrow arrays (orchestration/synth/texts.py)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from orchestration.synth import texts


def test_zero_padded_writes_what_the_format_string_writes() -> None:
    numbers = np.array([0, 7, 123_456_789, 999_999_999, 42])
    assert texts.zero_padded("P", numbers, 9).to_pylist() == [f"P{n:09d}" for n in numbers]
    nik = np.array([3171011708450010, 1212065811910001])
    assert texts.zero_padded("", nik, 16).to_pylist() == [f"{n:016d}" for n in nik]
    assert texts.zero_padded("H", np.zeros(0, dtype=np.int64), 8).to_pylist() == []
    with pytest.raises(ValueError):
        texts.zero_padded("P", np.array([10**9]), 9)  # the format string would write ten digits


def test_texts_index_like_an_object_array_and_replace_values() -> None:
    column = texts.Texts(pa.chunked_array([pa.array(["a", "b"]), pa.array(["c", None])]))
    assert len(column) == 4 and column[np.array([2, 0])].tolist() == ["c", "a"]
    assert column[np.array([False, True, False, True])].tolist() == ["b", None]
    assert column.present().tolist() == [True, True, True, False]
    assert texts.replaced(column.array, np.array([3, 1]), ["d", "e"]).to_pylist() == ["a", "e", "c", "d"]
    built = texts.built(5, lambda a, b: np.array([str(i) for i in range(a, b)], dtype=object))
    assert built.array.to_pylist() == ["0", "1", "2", "3", "4"]


def test_coded_columns_give_their_table_values() -> None:
    coded = texts.Coded(np.array([2, 0, 1, 2], dtype=np.int8), ["", "JAKARTA", "BOGOR"])
    assert coded[np.array([0, 1, 3])].tolist() == ["BOGOR", "", "BOGOR"] and len(coded) == 4
