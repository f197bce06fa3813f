"""Splink's blocking analysis of one quarter's linkage input: comparisons per blocking rule and the largest blocks.

Usage: python benchmarks/bench_blocking.py --warehouse data/warehouse/2025Q2.duckdb [--json figures.json]
Reads `intermediate.int_persons__for_linkage` from a warehouse a run has built (read-only) and runs Splink's
`count_comparisons_from_blocking_rules` (exact: every record, not a sample) over `settings.BLOCKING_RULES` (the
committed model's rules: tests/linkage/test_blocking_filters.py holds them equal), in their order (after their
filters), and `n_largest_blocks` per rule (before them). A rule whose comparisons grow with the square of the rows
(a block that gets denser as the list grows, such as a common name in one kelurahan) shows here long before it
shows in the run time: compare the figures at 1M and 10M rows (docs/linkage.md). The largest blocks are given by
their size only, never by their key (a name, a NIK or a birth date).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import duckdb


def _equi_join_part(rule):
    """A filtered rule's block_on part: blocks are sized before filter conditions (Splink's n_largest_blocks
    cannot read a filter's SQL), so a filtered rule's largest blocks are those of its equality keys."""
    from splink.blocking_rule_library import And, CustomRule

    # block_on with several columns is itself an And, of equalities only: left whole.
    if not isinstance(rule, And) or not any(isinstance(part, CustomRule) for part in rule.blocking_rules):
        return rule
    equalities = [part for part in rule.blocking_rules if not isinstance(part, CustomRule)]
    return equalities[0] if len(equalities) == 1 else And(*equalities)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--largest", type=int, default=5, help="how many of each rule's largest blocks to size")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules, n_largest_blocks

    from orchestration.linkage.predict import splink_connection
    from orchestration.linkage.settings import BLOCKING_RULES

    started = time.perf_counter()
    with duckdb.connect(str(args.warehouse), read_only=True) as warehouse:
        records = warehouse.sql("select * from intermediate.int_persons__for_linkage").to_arrow_table()
    with tempfile.TemporaryDirectory(prefix="blocking_") as scratch:
        con = splink_connection(records, Path(scratch) / "spill")
        frame = DuckDBAPI(connection=con).register("records")
        counted = count_comparisons_from_blocking_rules(
            frame, blocking_rules=list(BLOCKING_RULES), link_type="dedupe_only", record_sample_proportion=1.0)
        rules = []
        for rule, record in zip(BLOCKING_RULES, counted, strict=True):
            largest = n_largest_blocks(frame, blocking_rule=_equi_join_part(rule), link_type="dedupe_only",
                                       n_largest=args.largest)
            sizes = [int(row["block_count"]) for row in largest.as_record_list()] if largest else []
            rules.append({
                "rule": record["blocking_rule"],
                "marginal_comparisons": int(record["marginal_comparison_count"]),
                "cumulative_comparisons": int(record["cumulative_comparison_count"]),
                "largest_blocks_rows_left_x_right": sizes,
            })
        con.close()
    figures = {"rows": records.num_rows, "seconds": round(time.perf_counter() - started, 1), "rules": rules}
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
