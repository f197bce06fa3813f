"""Resources shared by every stage: the data dir with its per-quarter DuckDB files, and dbt."""

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from orchestration import warehouse
from orchestration.defs.transform.project import dbt_project
from orchestration.paths import QuarterPaths, resolve_data_dir
from orchestration.quarters import Quarter


class WarehouseResource(dg.ConfigurableResource):
    """The data dir (default $SATUDATA_DATA_DIR or ./data) and one DuckDB warehouse file per quarter in it."""

    data_dir: str | None = None

    def paths(self, quarter: Quarter | str) -> QuarterPaths:
        quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
        return QuarterPaths(resolve_data_dir(self.data_dir), quarter)

    @contextlib.contextmanager
    def connect(self, quarter: Quarter | str, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect(self.paths(quarter).warehouse, read_only=read_only) as con:
            yield con


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(),
            # The venv's own dbt, so that runs work without an activated venv.
            "dbt": DbtCliResource(
                project_dir=dbt_project,
                profiles_dir=dbt_project.profiles_dir,
                dbt_executable=str(Path(sys.executable).parent / "dbt"),
            ),
        }
    )
