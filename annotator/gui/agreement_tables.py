"""The agreement view's tables: the figures it names, the columns of its tables, their rows, and the same
tables as CSV files.

The core's agreement report keys its figures by label id; the tables and the CSV export both want one flat row
per label with the label's name, so the rows are built here once for both.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.csv_cells import LINE_END, neutralise
from ..core.export import atomic_path
from ..core.reports.agreement_text import label_figures
from ..core.stats import registry
from ..core.stats.registry import PAIR_FIGURES, Figure, PairFigure, figures_for
from ..core.taxonomy import Taxonomy
from .report_models import Column


BASE_LABEL_COLUMNS = [
    Column("name", "label", "text"),
    Column("units", "units", "count", "Units of the label's target kind in the finished items."),
    Column("prevalence_mean", "used on", "share", "Share of units the label was given on, averaged over annotators."),
]


def figure_columns(figures: Iterable[Figure | PairFigure]) -> list[Column]:
    """One numeric column per registry figure, titled and tipped as the registry says."""
    return [Column(f.name, f.title, "number", f.tip) for f in figures]


def label_columns(report: dict) -> list[Column]:
    """The per-label table's columns: the figures the report gives per label, in registry order."""
    return [*BASE_LABEL_COLUMNS, *figure_columns(label_figures(report))]


# the columns for a report of three or more annotators (Scott's pi joins with exactly two)
LABEL_COLUMNS = [*BASE_LABEL_COLUMNS, *figure_columns(figures_for("binary", 3))]
BASE_PAIR_COLUMNS = [
    Column("a", "annotator", "text"),
    Column("b", "with", "text"),
    Column("units", "units", "count", "Units both annotators finished."),
]
PAIR_COLUMNS = [*BASE_PAIR_COLUMNS, *figure_columns(f for f in PAIR_FIGURES if "binary" in f.scales)]
RELIABILITY_COLUMNS = [
    Column("annotator", "annotator", "text"),
    Column("reliability", "reliability", "number",
           "The model's estimate of the annotator's chance of giving the true answer (a point estimate, no "
           "interval); for a multi-choice taxonomy the mean over labels, weighted by answers."),
    Column("answers", "answers", "count", "How many answers the estimate rests on."),
]
SPAN_COLUMNS = [
    Column("name", "label", "text"),
    Column("alpha", "character α", "number",
           "Krippendorff's alpha over the characters of every field anyone marked with the label; undefined "
           "when the text lengths are unknown (labels CSV alone)."),
    Column("characters", "characters", "count"),
    Column("fields", "fields", "count"),
    Column("spans", "spans", "count"),
]


def label_names(taxonomy: Taxonomy | None, ids: Iterable[str]) -> list[str]:
    """The shown names of label ids; an id the taxonomy does not know is shown as it is."""
    return [taxonomy.label(lab).name if taxonomy is not None and lab in taxonomy.label_ids else lab for lab in ids]


def label_rows(report: dict, taxonomy: Taxonomy) -> list[dict]:
    """The per-label table: the report's entries with the label's shown name and mean prevalence added."""
    rows = []
    for label, entry in report.get("labels", {}).items():
        shares = [v for v in entry.get("prevalence", {}).values() if v is not None]
        rows.append({**entry, "label": label, "name": label_names(taxonomy, [label])[0],
                     "prevalence_mean": sum(shares) / len(shares) if shares else None})
    return rows


def label_table_frame(report: dict, taxonomy: Taxonomy) -> pd.DataFrame:
    """The per-label table (and an overall row) as a flat frame: value, interval ends and reason per figure."""
    records = []
    entries = [(r["label"], r["name"], r) for r in label_rows(report, taxonomy)]
    entries.append(("OVERALL", "overall", {**report.get("overall", {}), "units": report.get("units")}))
    annotators = report.get("annotators", [])
    names = [f.name for f in registry.FIGURES
             if f.name in report.get("overall", {}) or any(f.name in e for _l, _n, e in entries)]
    for label, name, entry in entries:
        rec: dict[str, Any] = {"taxonomy": report.get("taxonomy"), "label": label, "name": name,
                               "units": entry.get("units")}
        for fig in names:
            if fig not in entry:
                continue
            ci = entry.get(f"{fig}_ci") or [None, None]
            rec[fig] = entry.get(fig)
            rec[f"{fig}_ci_low"], rec[f"{fig}_ci_high"] = ci[0], ci[1]
            rec[f"{fig}_reason"] = entry.get(f"{fig}_reason", "")
        for who in annotators:
            if "prevalence" in entry:
                rec[f"prevalence_{who}"] = entry["prevalence"].get(who)
        records.append(rec)
    return pd.DataFrame.from_records(records)


def disagreement_frame(rows: list[dict], annotators: list[str],
                       gold: dict[tuple[str, str], tuple[str, ...]]) -> pd.DataFrame:
    """Disagreements as one row per unit: each annotator's labels joined by ';', and the gold when settled."""
    records = []
    for d in rows:
        rec: dict[str, Any] = {"item_id": d["item_id"], "target": d["target"]}
        for who in annotators:
            given = d["labels"].get(who)
            rec[who] = "" if given is None else ";".join(given)
        settled = gold.get((d["item_id"], d["target"]))
        rec["gold"] = "" if settled is None else ";".join(settled)
        rec["settled"] = settled is not None
        records.append(rec)
    return pd.DataFrame.from_records(records, columns=["item_id", "target", *annotators, "gold", "settled"])


def pair_columns(report: dict) -> list[Column]:
    """The pairs table's columns: the pair figures the report holds (ordinal taxonomies add weighted kappa)."""
    pairs = report.get("pairs", [])
    shown = [f for f in PAIR_FIGURES if any(f.name in p for p in pairs)] if pairs else \
        [f for f in PAIR_FIGURES if "binary" in f.scales]
    return [*BASE_PAIR_COLUMNS, *figure_columns(shown)]


def span_rows(report: dict, taxonomy: Taxonomy) -> list[dict]:
    """The span agreement table: one row per span label, with its shown name."""
    spans = report.get("spans") or {}
    return [{**entry, "label": label, "name": label_names(taxonomy, [label])[0]} for label, entry in spans.items()]


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """A frame as CSV, written whole or not at all, with formula-like cells made inert for spreadsheets and the
    line ends every other CSV of the app has (RFC 4180's CRLF), so a script reading several of them splits
    them alike."""
    safe = frame.map(neutralise)
    with atomic_path(path, ".csv") as tmp:
        safe.to_csv(tmp, index=False, lineterminator=LINE_END)


def write_agreement_csv(path: str | Path, report: dict, taxonomy: Taxonomy, rows: list[dict],
                        gold: dict[tuple[str, str], tuple[str, ...]]) -> list[Path]:
    """The per-label table at `path`, and the disagreements beside it as `<name>-disagreements.csv`."""
    out = Path(path)
    beside = out.with_name(f"{out.stem}-disagreements.csv")
    write_csv(label_table_frame(report, taxonomy), out)
    write_csv(disagreement_frame(rows, report["annotators"], gold), beside)
    return [out, beside]
