"""The quality gate: GX validation of a quarter and the report that says whether it may be published."""
