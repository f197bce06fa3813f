"""Owner-only, all-or-nothing files: modes, the earlier file kept on failure, the returned sha256."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from orchestration.publish.files import atomic_path, private_dir, sha256_of, write_text_atomic


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """A umask of 0, so the 0600/0700 seen below come from the code and not from the environment."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_private_dir_creates_owner_only(tmp_path, open_umask):
    """A new folder is 0700."""
    folder = private_dir(tmp_path / "publish" / "2025Q2")
    assert folder.is_dir()
    assert mode(folder) == 0o700


def test_private_dir_creates_missing_parents_owner_only(tmp_path):
    """The docstring promises owner-only parents too: a new intermediate folder is 0700."""
    private_dir(tmp_path / "data" / "publish" / "2025Q2")
    assert mode(tmp_path / "data") == 0o700
    assert mode(tmp_path / "data" / "publish") == 0o700


def test_private_dir_tightens_an_existing_folder(tmp_path):
    """A folder someone left world-readable is made 0700."""
    folder = tmp_path / "publish"
    folder.mkdir()
    folder.chmod(0o755)
    private_dir(folder)
    assert mode(folder) == 0o700


def test_write_text_atomic_writes_0600_and_returns_its_sha256(tmp_path, open_umask):
    """The file is 0600 in a 0700 folder, holds the text byte for byte, and the return value is its sha256."""
    target = tmp_path / "out" / "report.md"
    text = "# Laporan\r\nbaris dua\nÄ€ nama sintetis\n"
    digest = write_text_atomic(target, text, "run1")
    assert target.read_bytes() == text.encode("utf-8")  # newline="" keeps \r\n as written
    assert digest == hashlib.sha256(text.encode("utf-8")).hexdigest() == sha256_of(target)
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700


def test_overwrite_replaces_and_tightens(tmp_path):
    """Rewriting replaces the content and leaves the file 0600 even if it had been opened up."""
    target = tmp_path / "report.md"
    write_text_atomic(target, "lama\n", "run1")
    target.chmod(0o644)
    digest = write_text_atomic(target, "baru\n", "run2")
    assert target.read_text(encoding="utf-8") == "baru\n"
    assert digest == sha256_of(target)
    assert mode(target) == 0o600


def test_error_inside_atomic_path_keeps_the_earlier_file(tmp_path):
    """An exception half-way leaves the earlier target byte-identical and no temp file behind."""
    target = tmp_path / "out" / "ledger.csv"
    write_text_atomic(target, "a,b\n1,2\n", "run1")
    before = target.read_bytes()
    with pytest.raises(RuntimeError, match="half-way"):
        with atomic_path(target, "run2") as temp:
            assert temp.parent == target.parent  # same folder: the rename is atomic
            temp.write_text("a,b\n1,", encoding="utf-8")
            raise RuntimeError("half-way")
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["ledger.csv"]


def test_failed_verify_keeps_the_earlier_file(tmp_path):
    """A verify callback that rejects the temp file leaves the earlier file and no temp file."""
    target = tmp_path / "report.md"
    write_text_atomic(target, "lama\n", "run1")
    seen = []

    def reject(temp: Path) -> None:
        seen.append(temp.read_text(encoding="utf-8"))
        raise ValueError("rejected")

    with pytest.raises(ValueError, match="rejected"):
        write_text_atomic(target, "baru\n", "run2", verify=reject)
    assert seen == ["baru\n"]  # verify saw the new content before the rename
    assert target.read_text(encoding="utf-8") == "lama\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_error_before_anything_written_creates_no_target(tmp_path):
    """A failure before the temp file exists leaves no target and no temp file."""
    target = tmp_path / "new.csv"
    with pytest.raises(KeyError):
        with atomic_path(target, "run1"):
            raise KeyError("nothing written")
    assert list(tmp_path.iterdir()) == []


def test_sha256_of_reads_past_one_block(tmp_path):
    """The block-wise digest equals hashlib's over the whole file (larger than its 1 MiB block)."""
    path = tmp_path / "big.bin"
    data = os.urandom((1 << 20) + 12345)
    path.write_bytes(data)
    assert sha256_of(path) == hashlib.sha256(data).hexdigest()
