"""Resources shared by every stage: the data dir with its per-quarter DuckDB files, and dbt."""

import contextlib
import importlib.metadata
import sys
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from packaging import version

from orchestration import storage, warehouse
from orchestration.defs.transform.project import dbt_project
from orchestration.ingest import workbook_prefetch
from orchestration.paths import QuarterPaths, resolve_data_dir
from orchestration.quarters import Quarter


@contextlib.contextmanager
def storage_errors_explained(where: Path) -> Iterator[None]:
    """Turn a full disk or a read-only folder under `where` into a step failure that says so in one sentence."""
    try:
        yield
    except dg.Failure:
        raise
    except Exception as exc:
        message = storage.explain(exc, where)
        if message is None:
            raise
        raise dg.Failure(description=message, allow_retries=False) from exc


class WarehouseResource(dg.ConfigurableResource):
    """The data dir (default $SATUDATA_DATA_DIR or ./data) and one DuckDB warehouse file per quarter in it."""

    data_dir: str | None = None

    def paths(self, quarter: Quarter | str) -> QuarterPaths:
        quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
        return QuarterPaths(resolve_data_dir(self.data_dir), quarter)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        # A workbook read ahead for a step that did not run (it failed, or the run stopped) is not left behind.
        workbook_prefetch.stop_all()

    @contextlib.contextmanager
    def connect(self, quarter: Quarter | str, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        path = self.paths(quarter).warehouse
        with storage_errors_explained(path.parent), warehouse.connect(path, read_only=read_only) as con:
            yield con


class LockedDbtResource(DbtCliResource):
    """dbt as pinned in uv.lock, started without dagster-dbt's per-step probes."""

    # dagster-dbt runs `dbt --version` (5.7 s here) to tell dbt-core from dbt Fusion, and builds an in-process dbt
    # adapter (3.7 s per step) that only its row-count and column-metadata helpers use; neither is used here
    # (row counts are read after dbt exits: the adapter would open the DuckDB file while dbt holds its lock).
    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(),
            # The venv's own dbt, so that runs work without an activated venv.
            "dbt": LockedDbtResource(
                project_dir=dbt_project,
                profiles_dir=dbt_project.profiles_dir,
                dbt_executable=str(Path(sys.executable).parent / "dbt"),
            ),
        }
    )
