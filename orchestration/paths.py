"""Where a quarter's files live under the data dir (see docs/landing_contract.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from orchestration.quarters import Quarter

DATA_DIR_ENV = "SATUDATA_DATA_DIR"
REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "dbt_project" / "seeds"


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The data dir: the argument, else $SATUDATA_DATA_DIR, else ./data, made absolute."""
    chosen = data_dir or os.environ.get(DATA_DIR_ENV) or "data"
    return Path(chosen).expanduser().resolve()


@dataclass(frozen=True)
class QuarterPaths:
    """The folders and files that belong to one quarter."""

    data_dir: Path
    quarter: Quarter

    @property
    def landing(self) -> Path:
        return self.data_dir / "landing" / self.quarter.key

    @property
    def truth(self) -> Path:
        return self.data_dir / "truth" / self.quarter.key

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse" / f"{self.quarter.key}.duckdb"

    @property
    def publish(self) -> Path:
        return self.data_dir / "publish" / self.quarter.key

    def staging(self, run_id: str) -> Path:
        """Where a run assembles the quarter's publish folder before it replaces `publish` in one step."""
        return self.staging_root / f"{self.quarter.key}.{run_id}"

    @property
    def staging_root(self) -> Path:
        # Under the data dir, so on the same filesystem as `publish` (a rename cannot cross filesystems), yet
        # outside it: nothing half-written is ever under publish/.
        return self.data_dir / "tmp" / "publish"

    @property
    def reports(self) -> Path:
        return self.data_dir / "reports" / self.quarter.key

    def export(self, name: str) -> Path:
        """A table exported beside the warehouse for later quarters, which must not open this quarter's file."""
        return self.data_dir / "warehouse" / f"{self.quarter.key}.{name}.parquet"

    def latest_earlier_export(self, name: str) -> Path | None:
        """The same export of the latest earlier quarter that has one, published or not.

        Carry nothing over from it that must come from a published quarter: see `published_earlier`.
        """
        earlier = sorted((p for p in (self.data_dir / "warehouse").glob(f"*.{name}.parquet")
                          if p.name.split(".")[0] < self.quarter.key), reverse=True)
        return earlier[0] if earlier else None

    def published_earlier(self) -> list:
        """The earlier quarters whose publish/<Q>/manifest.json verifies, the latest first (publish.manifest.Published).

        Published means the gate passed and the submission is intact: a blocked or half-published quarter is not
        one, so nothing (person ids, the size check) is ever carried over from it.
        """
        from orchestration.publish.manifest import published_before

        return published_before(self.data_dir, self.quarter)
