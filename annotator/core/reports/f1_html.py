"""The F1 report as one self-contained HTML page: figures, charts beside the human ceiling, calibration, and
optionally the alternative annotator test and the agreement partitions, then the errors.

Every text from the project (labels, item ids, targets, annotator and metric names) goes through `page.esc` or
`page.table`, so an item id can never become markup; charts are inline SVG, so the page opens offline. Figures
are made without pyplot, so a page can be rendered on a worker thread of the desktop app.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..stats.alt_test import explain_alt_test, human_outcome
from ..stats.f1 import describe_ceiling
from .anchoring_html import anchoring_sections_html
from .page import esc, figure_svg, fmt, page, table

ERROR_ROWS = 200  # per table; the JSON holds them all


def _bars(report: dict[str, Any]) -> str:
    """Per label: the metric's precision, recall and F1 as bars, the human ceiling's F1 as a marker."""
    labels = list(report["labels"])
    if not labels:
        return ""
    ceiling = (report.get("human_ceiling") or {}).get("labels") or {}
    x = np.arange(len(labels))
    fig = Figure(figsize=(max(5.0, 1.1 * len(labels) + 2), 3.6))
    ax = fig.subplots()
    for k, (name, colour) in enumerate((("precision", "#56b4e9"), ("recall", "#e69f00"), ("f1", "#009e73"))):
        vals = [report["labels"][lab][name] for lab in labels]
        ax.bar(x + (k - 1) * 0.25, [v or 0 for v in vals], width=0.25, color=colour, label=name.upper()
               if name == "f1" else name)
    human = [(ceiling.get(lab) or {}).get("f1") for lab in labels]
    hx = [xi for xi, h in zip(x, human) if h is not None]
    if hx:
        ax.scatter(hx, [h for h in human if h is not None], marker="D", color="#222", zorder=3,
                   label="human F1 (ceiling)")
    ax.set_xticks(x, [_plain(lab) for lab in labels], rotation=30, ha="right")
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
    fig = Figure(figsize=(6.5, 3.6))
    ax = fig.subplots()
    for lab, s in sweep.items():
        pts = [(p[0], p[3]) for p in s["points"] if p[3] is not None]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], label=_plain(lab), linewidth=1.4)
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
    note += f"<p class='note'>{esc(describe_ceiling(ceiling))}</p>"
    return table(["", "metric", "human ceiling"], rows) + note


def _per_annotator(report: dict[str, Any]) -> str:
    people = (report.get("human_ceiling") or {}).get("annotators") or {}
    if not people:
        return ""
    single = "accuracy" in report
    header = ["annotator", "units", "micro F1", "macro F1"] + (["accuracy"] if single else [])
    rows = [[name, e["units"], fmt(e.get("micro_f1")), fmt(e.get("macro_f1"))]
            + ([fmt(e.get("accuracy"))] if single else []) for name, e in people.items()]
    return ("<h2>Each annotator against the others</h2>" + table(header, rows)
            + "<p class='note'>The human ceiling pools these annotators' units, not their figures: a row with "
              "few units moves it little.</p>")


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


def _plain(text: object) -> str:
    """Chart text with matplotlib's math markup disabled, so a `$` in a name stays a dollar sign."""
    return str(text).replace("$", r"\$")


def _calibrated(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {lab: f for lab, f in report["labels"].items() if "ece" in f}


def _reliability_chart(report: dict[str, Any]) -> str:
    """Small multiples: one reliability curve per label, each with the diagonal of perfect calibration and
    the number of units in each bin, so a reader sees where a score over- or under-states the humans."""
    labels = {lab: f for lab, f in _calibrated(report).items() if f.get("reliability")}
    if not labels:
        return ""
    cols = min(4, len(labels))
    rows = -(-len(labels) // cols)
    fig = Figure(figsize=(2.6 * cols + 0.6, 2.5 * rows + 0.6))
    axes = np.atleast_1d(fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)).ravel()
    for ax, (lab, f) in zip(axes, labels.items()):
        pts = f["reliability"]
        ax.plot([0, 1], [0, 1], linestyle="--", color="#999", linewidth=1)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", color="#0072b2", linewidth=1.4)
        for p in pts:
            ax.annotate(str(p[2]), (p[0], p[1]), textcoords="offset points", xytext=(3, 3), fontsize=6,
                        color="#555")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_title(f"{_plain(lab)} (ECE {fmt(f.get('ece'))})", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes[len(labels):]:
        ax.set_visible(False)
    fig.supxlabel("mean score in the bin", fontsize=8)
    fig.supylabel("share of units where the humans gave the label", fontsize=8)
    fig.tight_layout()
    return ("<figure>" + figure_svg(fig) + "<figcaption>Reliability per label: each point is a bin of scores "
            "(its mean score against how often the humans gave the label; the small number is the bin's size). "
            "Points on the dashed diagonal are perfectly calibrated; below it the metric over-states the label."
            "</figcaption></figure>")


def _calibration(report: dict[str, Any]) -> str:
    labels = _calibrated(report)
    if not labels:
        return ""
    rows = [[lab, sum(b[2] for b in f.get("reliability") or []), fmt(f.get("ece")), fmt(f.get("brier")),
             f.get("calibration_reason", "")] for lab, f in labels.items()]
    return ("<h2>Calibration</h2><p class='note'>The metric's score read as the probability that the label is on "
            "the unit, against the humans' answer. ECE (expected calibration error, 10 equal-width bins) is the "
            "mean gap between score and gold rate, weighted by bin size: 0 is perfect. Brier is the mean squared "
            "difference between score and answer: lower is better, and it also rewards sharp scores.</p>"
            + table(["label", "units", "ECE", "Brier", "why undefined"], rows) + _reliability_chart(report))


def _alt_test_section(result: dict[str, Any]) -> str:
    verdict = {True: "passes", False: "does not pass", None: "is undecided on"}[result.get("passed")]
    head = (f"<p><b>{esc(result['metric'])} {esc(verdict)} the test</b> (epsilon {esc(result['epsilon'])}, "
            f"false discovery rate q {esc(result['q'])}).</p>")
    figures = table(["winning rate", "advantage probability", "items", "humans tested"],
                    [[fmt(result.get("winning_rate")), fmt(result.get("advantage_probability")),
                      result.get("items", ""), result.get("tested", "")]])
    people = table(["annotator", "items", "p", "p adjusted", "metric wins", "human wins", "result"],
                   [[a["annotator"], a["items"], _p(a.get("p_value")), _p(a.get("p_adjusted")),
                     fmt(a.get("metric_advantage")), fmt(a.get("human_advantage")), human_outcome(a)]
                    for a in result.get("annotators", [])])
    per_label = result.get("per_label") or {}
    by_label = table(["label", "verdict", "winning rate", "advantage probability"],
                     [[lab, {True: "passes", False: "does not pass", None: "undecided"}[r.get("passed")],
                       fmt(r.get("winning_rate")), fmt(r.get("advantage_probability"))]
                      for lab, r in per_label.items()]) if per_label else ""
    return ("<h2>Alternative annotator test</h2>" + head + f"<p>{esc(explain_alt_test(result))}</p>" + figures
            + people + by_label
            + "<p class='note'>Epsilon is the margin by which the metric may trail a human and still be worth "
              "using: 0.2 for experts, 0.15 for trained annotators, 0.1 for crowd workers "
              "(Calderon, Reichart and Dror, 2025).</p>")


def _p(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if value >= 0.001 else f"{value:.1e}"


GROUPS = (("human_human", "human–human"), ("human_metric", "human–metric"), ("metric_metric", "metric–metric"))


def _partitions_section(partitions: dict[str, Any]) -> str:
    overall = partitions.get("overall") or {}
    rows = [["overall"] + [fmt(overall.get(g)) for g, _ in GROUPS]]
    rows += [[lab] + [fmt(e.get(g)) for g, _ in GROUPS] for lab, e in (partitions.get("labels") or {}).items()]
    by_metric = [[m, fmt(e.get("human_metric")), fmt(overall.get("human_human"))]
                 for m, e in (partitions.get("by_metric") or {}).items()]
    pairs = [[p["a"], p["b"], dict(GROUPS).get(p["group"], p["group"]), fmt(p.get("kappa")), p.get("units", "")]
             for p in partitions.get("pairs") or []]
    reasons = [f"{title}: {overall[f'{g}_reason']}" for g, title in GROUPS if overall.get(f"{g}_reason")]
    return ("<h2>Agreement by kind of pair</h2><p class='note'>Mean Cohen's kappa of pairs of humans, of a human "
            "and a metric, and of two metrics (multi-choice taxonomies: label by label, then the mean). A metric "
            "whose kappa against the humans is near the humans' own is as good as another colleague; metrics "
            "that agree with each other far more than with people may share a bias.</p>"
            + table(["", "human–human", "human–metric", "metric–metric"], rows)
            + (f"<p class='note'>Undefined: {esc('; '.join(reasons))}.</p>" if reasons else "")
            + table(["metric", "kappa against the humans", "humans among themselves"], by_metric)
            + table(["a", "b", "pair", "Cohen's kappa", "units"], pairs))


def render_f1_html(report: dict[str, Any], alt_test: dict[str, Any] | None = None,
                   partitions: dict[str, Any] | None = None, skipped: dict[str, str] | None = None) -> str:
    """A complete HTML page for the report of `f1_report` (with calibration when the metric has graded scores),
    optionally with a result of `alt_test` and of `agreement_partitions` for the same metric and taxonomy.
    `skipped` maps a section's title to why it could not be computed; the page says so in its place."""
    title = f"{report['metric']} against the annotators: {report['taxonomy']}"
    sections = [
        "<h2>Summary</h2>", _summary(report),
        "<h2>Per label</h2>", _figures_table(report), _bars(report),
    ]
    if report.get("sweep"):
        sections += ["<h2>Threshold sweep</h2>", _sweep_chart(report), table(
            ["label", "best threshold", "best F1"],
            [[lab, fmt(s["best_threshold"], 2), fmt(s["best_f1"])] for lab, s in report["sweep"].items()])]
    sections.append(_calibration(report))
    if alt_test is not None:
        sections.append(_alt_test_section(alt_test))
    if partitions is not None:
        sections.append(_partitions_section(partitions))
    for name, why in (skipped or {}).items():
        sections.append(f"<h2>{esc(name)}</h2><p class='muted'>Not computed: {esc(why)}</p>")
    if report.get("anchoring"):
        sections.append(anchoring_sections_html({report["metric"]: report["anchoring"]}))
    sections += [_per_annotator(report), _errors(report)]
    return page(title, sections)
