"""The F1 report as one self-contained HTML page: figures, charts beside the human ceiling, and the errors.

Every text from the project (labels, item ids, targets) goes through `page.esc` or `page.table`, so an item id
can never become markup; charts are inline SVG, so the page opens offline.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from .page import esc, figure_svg, fmt, page, table

ERROR_ROWS = 200  # per table; the JSON holds them all


def _bars(report: dict[str, Any]) -> str:
    """Per label: the metric's precision, recall and F1 as bars, the human ceiling's F1 as a marker."""
    labels = list(report["labels"])
    if not labels:
        return ""
    ceiling = (report.get("human_ceiling") or {}).get("labels") or {}
    x = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(max(5.0, 1.1 * len(labels) + 2), 3.6))
    for k, (name, colour) in enumerate((("precision", "#56b4e9"), ("recall", "#e69f00"), ("f1", "#009e73"))):
        vals = [report["labels"][lab][name] for lab in labels]
        ax.bar(x + (k - 1) * 0.25, [v or 0 for v in vals], width=0.25, color=colour, label=name.upper()
               if name == "f1" else name)
    human = [(ceiling.get(lab) or {}).get("f1") for lab in labels]
    hx = [xi for xi, h in zip(x, human) if h is not None]
    if hx:
        ax.scatter(hx, [h for h in human if h is not None], marker="D", color="#222", zorder=3,
                   label="human F1 (ceiling)")
    ax.set_xticks(x, labels, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.legend(fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, 1.18), frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return ("<figure>" + figure_svg(fig) + "<figcaption>Precision, recall and F1 of the metric per label; "
            "diamonds mark the mean F1 of each annotator against the others.</figcaption></figure>")


def _sweep_chart(report: dict[str, Any]) -> str:
    """F1 against threshold per label, with the chosen threshold marked."""
    sweep = report.get("sweep") or {}
    if not sweep:
        return ""
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    for lab, s in sweep.items():
        pts = [(p[0], p[3]) for p in s["points"] if p[3] is not None]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], label=lab, linewidth=1.4)
    ax.axvline(report["threshold"], color="#777", linestyle="--", linewidth=1)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("threshold (score >= threshold is positive)")
    ax.set_ylabel("F1")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    return ("<figure>" + figure_svg(fig) + "<figcaption>F1 per label as the threshold moves; the dashed line is "
            "the threshold of this report.</figcaption></figure>")


def _figures_table(report: dict[str, Any]) -> str:
    ceiling = (report.get("human_ceiling") or {}).get("labels") or {}
    calibrated = any("ece" in v for v in report["labels"].values())
    header = ["label", "precision", "recall", "F1", "human F1", "support", "tp", "fp", "fn"]
    header += ["ECE", "Brier"] if calibrated else []
    rows = []
    for lab, f in report["labels"].items():
        row = [lab, fmt(f["precision"]), fmt(f["recall"]), fmt(f["f1"]), fmt((ceiling.get(lab) or {}).get("f1")),
               f["support"], f["tp"], f["fp"], f["fn"]]
        if calibrated:
            row += [fmt(f.get("ece")), fmt(f.get("brier"))]
        rows.append(row)
    return table(header, rows)


def _summary(report: dict[str, Any]) -> str:
    ceiling = report.get("human_ceiling") or {}
    rows = [["micro F1", fmt(report.get("micro_f1")), fmt(ceiling.get("micro_f1"))],
            ["macro F1", fmt(report.get("macro_f1")), fmt(ceiling.get("macro_f1"))]]
    if "accuracy" in report:
        rows.append(["accuracy", fmt(report.get("accuracy")), fmt(ceiling.get("accuracy"))])
    note = (f"<p class='note'>{esc(report['units'])} units compared; {esc(report['ties_excluded'])} left out "
            f"as exact ties among the annotators. Annotators: {esc(', '.join(report.get('annotators', [])))}.")
    if report.get("choice") == "single":
        note += " The metric's label on a unit is its highest-scoring label.</p>"
    else:
        note += f" A label is predicted when its score is at least {esc(report['threshold'])}.</p>"
    if ceiling.get("reason"):
        note += f"<p class='note'>No human ceiling: {esc(ceiling['reason'])}.</p>"
    return table(["", "metric", "human ceiling"], rows) + note


def _per_annotator(report: dict[str, Any]) -> str:
    people = (report.get("human_ceiling") or {}).get("annotators") or {}
    if not people:
        return ""
    single = "accuracy" in report
    header = ["annotator", "units", "micro F1", "macro F1"] + (["accuracy"] if single else [])
    rows = [[name, e["units"], fmt(e.get("micro_f1")), fmt(e.get("macro_f1"))]
            + ([fmt(e.get("accuracy"))] if single else []) for name, e in people.items()]
    return "<h2>Each annotator against the others</h2>" + table(header, rows)


def _errors(report: dict[str, Any]) -> str:
    errors = report.get("errors") or {}
    out = []
    for key, title in (("false_positives", "False positives (the metric said yes, the humans no)"),
                       ("false_negatives", "False negatives (the humans said yes, the metric no)")):
        rows = errors.get(key) or []
        shown = rows[:ERROR_ROWS]
        extra = "gold" if key == "false_positives" else "predicted"
        has_extra = any(extra in r for r in shown)
        header = ["item", "target", "label", "score"] + ([extra] if has_extra else [])
        body = [[r["item_id"], r["target"], r["label"], fmt(r["score"])] + ([r.get(extra) or "—"] if has_extra
                                                                           else []) for r in shown]
        out.append(f"<h2>{esc(title)}: {len(rows)}</h2>")
        out.append(table(header, body) if body else "<p class='muted'>None.</p>")
        if len(rows) > len(shown):
            out.append(f"<p class='note'>The first {len(shown)} of {len(rows)}; the JSON report lists all.</p>")
    return "".join(out)


def render_f1_html(report: dict[str, Any]) -> str:
    """A complete HTML page for the report of `f1_report` (with calibration columns when present)."""
    title = f"{report['metric']} against the annotators: {report['taxonomy']}"
    sections = [
        "<h2>Summary</h2>", _summary(report),
        "<h2>Per label</h2>", _figures_table(report), _bars(report),
    ]
    if report.get("sweep"):
        sections += ["<h2>Threshold sweep</h2>", _sweep_chart(report), table(
            ["label", "best threshold", "best F1"],
            [[lab, fmt(s["best_threshold"], 2), fmt(s["best_f1"])] for lab, s in report["sweep"].items()])]
    sections += [_per_annotator(report), _errors(report)]
    return page(title, sections)
