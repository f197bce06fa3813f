"""Writing the quarter's outputs: the BPS submission with its manifest, the record ledger and the reports."""
