"""Reading the quarterly extracts into DuckDB raw tables, by the landing contract."""
