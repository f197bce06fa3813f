"""The quarter's gate report: a verdict plus per-suite counts, written as JSON and markdown, never with data values."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from orchestration.quality.results import BLOCKED, ExpectationOutcome, SuiteResult, failed, verdict

JSON_NAME = "gate_report.json"
MD_NAME = "gate_report.md"
DID_NOT_RUN = "the gate did not run: no suite was validated"
_COLUMN_EXISTS = "expect_column_to_exist"


# The written region values of unresolved rows the report lists, most frequent first (the rest are counted).
UNRESOLVED_REGIONS_LISTED = 50
REGION_LEVELS = ("provinsi", "kabkota", "kecamatan", "kelurahan")


def unresolved_regions(con) -> list[dict[str, Any]]:
    """Region values written on list rows that resolved nowhere, by count (int_regions__unresolved_values).

    Names of places only, never a person's value: the model shows a value with digits as '(value with digits)'.
    """
    exists = con.execute("select count(*) from information_schema.tables where table_schema = 'intermediate' "
                         "and table_name = 'int_regions__unresolved_values'").fetchall()[0][0]
    if not exists:
        return []
    columns = ", ".join(f"{level}_written" for level in REGION_LEVELS)
    rows = con.execute(f"select source, {columns}, n_rows from intermediate.int_regions__unresolved_values "
                       f"order by n_rows desc, source, {columns}").fetchall()
    return [dict(zip(("source", *REGION_LEVELS, "rows"), row, strict=True)) for row in rows]


def write_gate_report(
    reports_dir: Path, *, quarter: str, run_id: str, results: list[SuiteResult], generated_at: str,
    unresolved: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Write gate_report.json and gate_report.md into reports_dir and return what the JSON holds."""
    failures = [sentence for result in results for sentence in failed(result)] if results else [DID_NOT_RUN]
    unresolved = unresolved or []
    report = {
        "quarter": quarter,
        "run_id": run_id,
        "generated_at": generated_at,
        "verdict": verdict(results),
        "suites": [result.to_dict() for result in results],
        "failures": failures,
        "unresolved_regions": {
            "rows": sum(u["rows"] for u in unresolved),
            "distinct_values": len(unresolved),
            "most_frequent": unresolved[:UNRESOLVED_REGIONS_LISTED],
        },
    }
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkdir's mode is filtered by the umask and ignored for an existing dir; the reports stay with the operator.
    os.chmod(reports_dir, 0o700)
    _write_atomic(reports_dir / JSON_NAME, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    _write_atomic(reports_dir / MD_NAME, render_markdown(report, results))
    return report


def render_markdown(report: dict[str, Any], results: list[SuiteResult]) -> str:
    """The report as markdown: header, verdict, the reasons when blocked, and one table per suite."""
    lines = [
        f"# Quality gate — {report['quarter']}",
        "",
        f"- Quarter: {report['quarter']}",
        f"- Run id: `{report['run_id']}`",
        f"- Generated at: {report['generated_at']}",
        f"- Verdict: **{report['verdict']}**",
        "",
    ]
    if report["verdict"] == BLOCKED:
        lines += ["## Why the quarter is blocked", ""]
        lines += [f"- {_cell(sentence)}" for sentence in report["failures"]]
        lines.append("")
    for result in results:
        status = "passed" if result.success else "failed"
        lines += [
            f"## Suite `{result.suite_name}`: {status}",
            "",
            f"{result.successful_expectations} of {result.evaluated_expectations} expectations passed.",
            "",
            "| Expectation | Column | Result | Unexpected / observed |",
            "|---|---|---|---|",
        ]
        lines += [_row(o) for o in _collapse_present_columns(result.expectations)]
        lines.append("")
    lines += _unresolved_section(report["unresolved_regions"])
    return "\n".join(lines)


def _unresolved_section(unresolved: dict[str, Any]) -> list[str]:
    """The region values of unresolved list rows, so that the alias table (seeds/region_aliases.csv) can grow."""
    lines = ["## Region values that did not resolve", ""]
    if not unresolved["rows"]:
        return lines + ["Every list row's address resolved (in Jakarta, or outside it).", ""]
    shown = unresolved["most_frequent"]
    lines += [
        (f"{unresolved['rows']:,} list rows, {unresolved['distinct_values']:,} distinct written values (upper case, "
         f"blanks collapsed), the {len(shown):,} most frequent below. A value that is a known place belongs in "
         "`dbt_project/seeds/region_aliases.csv`."),
        "",
        "| Source | Provinsi | Kab/kota | Kecamatan | Kelurahan | Rows |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {u['source']} | " + " | ".join(_cell(u[level] or "—") for level in REGION_LEVELS)
              + f" | {u['rows']:,} |" for u in shown]
    return lines + [""]


def _collapse_present_columns(outcomes: tuple[ExpectationOutcome, ...]) -> list[ExpectationOutcome]:
    """The outcomes with the passed column-exists checks folded into one line, so the table shows what matters."""
    present = [o for o in outcomes if o.checks == _COLUMN_EXISTS and o.success]
    if len(present) < 2:
        return list(outcomes)
    rest = [o for o in outcomes if o not in present]
    folded = ExpectationOutcome(
        expectation_type=_COLUMN_EXISTS,
        column=None,
        description=f"All {len(present)} columns the suite checks for are present.",
        success=True,
    )
    at = outcomes.index(present[0])
    return rest[:at] + [folded] + rest[at:]


def _row(outcome: ExpectationOutcome) -> str:
    """One table row: description, column, result, figures."""
    result = "passed" if outcome.success else "**FAILED**"
    return f"| {_cell(outcome.description)} | {_cell(outcome.column or '—')} | {result} | {_figures(outcome)} |"


def _figures(outcome: ExpectationOutcome) -> str:
    """Unexpected rows out of all rows, else the observed number, else a dash."""
    if outcome.unexpected_count is not None and outcome.element_count is not None:
        return f"{outcome.unexpected_count:,} of {outcome.element_count:,} rows"
    if isinstance(outcome.observed_value, int):
        return f"{outcome.observed_value:,}"
    if isinstance(outcome.observed_value, float):
        return f"{outcome.observed_value:.4g}"
    return "—"


def _cell(text: str) -> str:
    """Text safe inside a markdown table cell or list item."""
    return text.replace("|", "\\|").replace("\n", " ")


def _write_atomic(path: Path, text: str) -> None:
    """Write text to path through a 0600 temp file in the same dir, so readers see the old or the new file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
