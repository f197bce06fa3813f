"""One asset per landing file: the quarter's extract loaded as text into `raw.<source>`."""

import dagster as dg

from orchestration.defs.partitions import quarter_partitions
from orchestration.defs.resources import WarehouseResource
from orchestration.ingest.contract import EXTRACTS, ExtractSpec
from orchestration.ingest.errors import LandingError
from orchestration.ingest.landing_folder import check_landing_folder
from orchestration.ingest import workbook_prefetch
from orchestration.ingest.load import LoadResult, load_extract

DESCRIPTIONS = {
    "dtks": "DTKS individual extract (Kemensos) of the quarter, every column as text, in raw.dtks.",
    "p3ke": "P3KE individual list (sheet Individu) of the quarter, every cell as text, in raw.p3ke.",
    "carik": "CARIK Jakarta / Dasawisma family members of the quarter, every column as text, in raw.carik.",
    "dukcapil_kematian": "Dukcapil death records (akta kematian) of the quarter, as text, in raw.dukcapil_kematian.",
    "dukcapil_pindah": "Dukcapil moves and deactivated NIKs of the quarter, as text, in raw.dukcapil_pindah.",
}


def load_metadata(result: LoadResult) -> dict[str, dg.MetadataValue]:
    """Counts and lineage of a load, never cell values."""
    reasons = "\n".join(f"| {reason} | {count:,} |" for reason, count in sorted(result.quarantined_by_reason.items()))
    reader = {}
    if result.reader is not None:
        # Which reader read a delimited file, and why not DuckDB's when it did not (a sentence about structure).
        why = f" ({result.fallback_reason})" if result.fallback_reason else ""
        reader = {"csv_reader": dg.MetadataValue.text(result.reader + why)}
    elif result.file_name.endswith(".xlsx") and not result.missing:
        reader = {"workbook_read": dg.MetadataValue.text(
            "ahead, by a child process while the CSVs loaded" if result.read_ahead else "in this step")}
    return {
        "dagster/row_count": dg.MetadataValue.int(result.rows_loaded),
        "rows_read": dg.MetadataValue.int(result.rows_read),
        "rows_quarantined": dg.MetadataValue.int(result.rows_quarantined),
        "quarantined_by_reason": dg.MetadataValue.md(
            "| reason | rows |\n|---|---|\n" + reasons if reasons else "nothing quarantined"),
        "file_name": dg.MetadataValue.text(result.file_name),
        "file_sha256": dg.MetadataValue.text(result.file_sha256),
        "columns_reordered": dg.MetadataValue.bool(result.reordered_columns),
        "trailing_blank_rows": dg.MetadataValue.int(result.trailing_blank_rows),
        "file_missing": dg.MetadataValue.bool(result.missing),
        **reader,
    }


def prefetch_workbooks(context: dg.AssetExecutionContext, paths) -> None:
    """Start reading the run's workbooks in a child process, so that they are read while the CSVs load."""
    selected = context.job_def.asset_layer.selected_asset_keys
    for other in EXTRACTS:
        if other.is_workbook and dg.AssetKey(["raw", other.source]) in selected:
            workbook_prefetch.start(other, paths.landing / other.file_name, paths.data_dir / "tmp" / "ingest")


def build_raw_asset(spec: ExtractSpec) -> dg.AssetsDefinition:
    """The ingestion asset of one landing file."""

    @dg.asset(
        key=dg.AssetKey(["raw", spec.source]),
        group_name="ingest",
        partitions_def=quarter_partitions,
        description=DESCRIPTIONS[spec.source],
        kinds={"duckdb", "xlsx" if spec.is_workbook else "csv"},
        # A workbook loads after the CSVs: a child started by the first of them reads it meanwhile.
        op_tags={"dagster/priority": "-1" if spec.is_workbook else "0"},
    )
    def _raw(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        paths = warehouse.paths(context.partition_key)
        try:
            check_landing_folder(paths.landing)
            if not spec.is_workbook:
                prefetch_workbooks(context, paths)
            with warehouse.connect(paths.quarter) as con:
                result = load_extract(con, spec, paths.landing / spec.file_name)
        except LandingError as exc:
            # Failure's description is what the UI and `satudata run` show; the traceback adds nothing.
            raise dg.Failure(
                description=str(exc),
                metadata={"file": exc.file_name, "column": exc.column or "", "row": exc.row or 0},
                allow_retries=False,
            ) from None
        if result.missing:
            context.log.warning(f"{spec.file_name} is missing: empty table; the quarter gate will block publication")
        read_by = f", read by {load_metadata(result)['csv_reader'].value}" if result.reader else ""
        context.log.info(f"{spec.file_name}: {result.rows_loaded:,} rows loaded, "
                         f"{result.rows_quarantined:,} quarantined{read_by}")
        return dg.MaterializeResult(metadata=load_metadata(result))

    return _raw


raw_assets = [build_raw_asset(spec) for spec in EXTRACTS]

# raw.quarantine is written by every raw asset; dbt reads it as a source (the ledger's quarantined rows).
quarantine = dg.AssetSpec(
    key=dg.AssetKey(["raw", "quarantine"]),
    deps=[a.key for a in raw_assets],
    group_name="ingest",
    description="Rows of any extract that ingestion could not parse, with the reason, written by the raw/* assets.",
    kinds={"duckdb"},
)
