"""The metric view's charts, drawn from the core's reports onto a `ChartCanvas` figure.

Each function takes a matplotlib Figure and plain report dicts, so a chart can be drawn (and tested) without
the view, and the view only decides when to redraw. The reports key labels by id; `names` (id to name, from the
taxonomy) gives the words to write on the axes and legends, an id it lacks being written as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .charts import PALETTE, UNDEFINED_MARK, grouped_bars
from .metric_tables import GROUP_TITLES, figure_rows, shown_label
from .report_models import format_number


def _written(names: Mapping[str, str] | None, label: str) -> str:
    """A label's name as matplotlib should write it: a taxonomy's name may hold a `$`, which would otherwise
    start a formula."""
    return shown_label(names or {}, label).replace("$", r"\$")


def draw_f1_bars(figure, report: dict[str, Any], names: Mapping[str, str] | None = None) -> None:
    """The metric's F1 per label as bars, the human ceiling's F1 as a diamond on each."""
    rows = figure_rows(report)
    ax = figure.add_subplot()
    ticks = [_written(names, r["label"]) for r in rows]
    xs = list(range(len(rows)))
    f1 = [r["f1"] for r in rows]
    ax.bar(xs, [v if v is not None else 0.0 for v in f1], color=PALETTE[0], width=0.6, label="metric F1")
    for x, v in zip(xs, f1):
        if v is None:
            ax.text(x, 0.01, UNDEFINED_MARK, ha="center", va="bottom", color="#666666")
    ceil = [(x, r["ceiling_f1"]) for x, r in zip(xs, rows) if r["ceiling_f1"] is not None]
    if ceil:
        ax.scatter([c[0] for c in ceil], [c[1] for c in ceil], marker="D", s=36, color="#222222", zorder=3,
                   label="human F1 (ceiling)")
    ax.set_xticks(xs, labels=ticks, rotation=30, ha="right")
    ax.set_ylim(0, 1.18)  # headroom for the legend, so it never sits on a bar
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel("F1")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(fontsize=8, frameon=False, loc="upper center", ncol=2)
    where = "" if report.get("choice") == "single" else f" at threshold {report['threshold']:.2f}"
    ax.set_title(f"{report['metric']}{where}", fontsize=10)


def draw_reliability(figure, rows: list[dict[str, Any]], chosen: str | None = None,
                     names: Mapping[str, str] | None = None) -> None:
    """Reliability curves: mean score against the gold rate per score bin, the diagonal being perfect
    calibration. With a label chosen, only its curve, with each bin's size written beside its point."""
    ax = figure.add_subplot()
    ax.plot([0, 1], [0, 1], linestyle="--", color="#888888", linewidth=1, label="perfectly calibrated")
    shown = [r for r in rows if chosen is None or r["label"] == chosen]
    for k, r in enumerate(shown):
        pts = r["reliability"]
        if not pts:
            continue
        colour = PALETTE[k % len(PALETTE)] if chosen is None else PALETTE[0]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", linewidth=1.4, color=colour,
                label=f"{_written(names, r['label'])} (ECE {format_number(r['ece'])})")
        if chosen is not None:
            for p in pts:
                ax.annotate(str(p[2]), (p[0], p[1]), textcoords="offset points", xytext=(4, 4), fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean score in the bin")
    ax.set_ylabel("share where the humans gave the label")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, frameon=False, loc="upper left")


def draw_partitions(figure, partitions: dict[str, Any], names: Mapping[str, str] | None = None) -> None:
    """Mean Cohen's kappa of the three kinds of pair, per label and overall, side by side."""
    ax = figure.add_subplot()
    per_label = partitions.get("labels") or {}
    groups = [_written(names, lab) for lab in per_label] + ["overall"]
    entries = [per_label[n] for n in per_label] + [partitions["overall"]]
    series = {title: [e.get(group) for e in entries] for group, title in GROUP_TITLES.items()}
    grouped_bars(ax, groups, series, colors=[PALETTE[0], PALETTE[1], PALETTE[4]], ylabel="mean Cohen's kappa",
                 limits=(min(-0.1, *[v for s in series.values() for v in s if v is not None] or [0]), 1.0))
    ax.axhline(0, color="#999999", linewidth=0.8)
