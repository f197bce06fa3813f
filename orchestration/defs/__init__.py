"""Everything Dagster loads for the quarterly pipeline, one folder per stage."""
