"""The agreement view's charts, drawn from the core's agreement report onto a `ChartCanvas` figure.

Each function takes a matplotlib Figure, the report and the label names to show, so a chart can be drawn (and
tested) without the view; the view only picks what to draw and when.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from .charts import bar_with_intervals, grouped_bars, heatmap

# room below zero for a negative figure's bar and interval; shares need none
NEGATIVE_MARGIN = 0.05


def draw_label_figure(figure: Figure, report: dict, name: str, title: str, names: Sequence[str]) -> None:
    """One figure (`name`, shown as `title`) per label as a bar with its 95% interval."""
    entries = list(report.get("labels", {}).values())
    values = [e.get(name) for e in entries]
    intervals = [e.get(f"{name}_ci") for e in entries]
    lows = [ci[0] for ci in intervals if ci] + [v for v in values if v is not None]
    low = 0.0 if name == "percent_agreement" else min([-NEGATIVE_MARGIN, *lows]) - NEGATIVE_MARGIN
    bar_with_intervals(figure.add_subplot(), list(names), values, intervals, xlabel=title, limits=(low, 1.05),
                       title=f"{title} per label, with 95% intervals")


def pair_matrix(report: dict) -> list[list[float | None]]:
    """Each pair's Cohen's kappa (mean over labels) in an annotator-by-annotator grid; the diagonal is empty."""
    annotators = report["annotators"]
    pos = {a: k for k, a in enumerate(annotators)}
    matrix: list[list[float | None]] = [[None] * len(annotators) for _ in annotators]
    for p in report.get("pairs", []):
        i, j = pos[p["a"]], pos[p["b"]]
        matrix[i][j] = matrix[j][i] = p.get("cohen_kappa")
    return matrix


def draw_pair_kappas(figure: Figure, report: dict) -> None:
    heatmap(figure.add_subplot(), pair_matrix(report), report["annotators"],
            title="Cohen's κ per pair (mean over labels)")


def draw_prevalence(figure: Figure, report: dict, names: Sequence[str]) -> None:
    """How often each annotator gave each label, side by side: a skewed annotator stands out."""
    labels = list(report.get("labels", {}))
    series = {who: [report["labels"][lab].get("prevalence", {}).get(who) for lab in labels]
              for who in report["annotators"]}
    grouped_bars(figure.add_subplot(), list(names), series, ylabel="share of units given the label",
                 title="How often each annotator used each label")


def draw_confusion(figure: Figure, matrix: list[list[int]], names: Sequence[str], a: str, b: str,
                   what: str) -> None:
    """Counts of a's answers (rows) against b's (columns)."""
    top = max([1] + [v for row in matrix for v in row])
    ax = figure.add_subplot()
    heatmap(ax, matrix, list(names), vmin=0, vmax=top, fmt="{:.0f}", cmap="Blues",
            title=f"{a} (rows) vs {b} (columns): {what}")
    ax.set_ylabel(a)
    ax.set_xlabel(b)
