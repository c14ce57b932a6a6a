"""The agreement report as one self-contained HTML page: figures, charts as inline SVG, the disagreement list.

Everything that came from an input file (annotator names, item ids, targets) is escaped through `page.table`
and `page.esc`, and chart text is drawn by matplotlib with mathematical markup switched off, so a name can
neither inject markup into the page nor break a chart.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..stats.data import LabelData
from ..stats.disagreements import disagreements
from ..stats.registry import PAIR_FIGURES
from .agreement_text import label_figures, overall_only_figures
from .anchoring_html import anchoring_sections_html, reliability_html
from .page import esc, figure_svg, fmt, page, table

MAX_DISAGREEMENTS = 200

HOW_TO_READ = """
<p class='note'><b>How to read this.</b> Percent agreement is the share of annotator pairs that gave the same
answer on a unit; it is high whenever a label is rare, because "absent" agrees with "absent". Cohen's kappa
(per pair, then averaged), Fleiss' kappa and Krippendorff's alpha correct for the agreement expected by chance:
1 is perfect agreement, 0 is what chance alone gives, below 0 is systematic disagreement. A common reading is
above 0.8 good, 0.67-0.8 tentative, below 0.67 doubtful. Krippendorff's alpha also uses units that not every
annotator finished. Gwet's AC1 and Brennan-Prediger stay stable when a label is rare, where kappa collapses
(the kappa paradox). MASI alpha compares whole label sets, giving partial credit when sets overlap. Bracketed
ranges and error bars are 95% percentile bootstrap intervals over items (all units of an item drawn together);
a figure shown as — is undefined on this data (the reason is given), usually because a label was never or
always used.</p>
"""


def _plain(text: object) -> str:
    """Chart text with matplotlib's math markup disabled."""
    return str(text).replace("$", r"\$")


def _ci_text(entry: dict, name: str) -> str:
    ci = entry.get(f"{name}_ci")
    return f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""


def _figure_table(report: dict) -> str:
    figures = label_figures(report)
    entries = list(report["labels"].items()) + [("OVERALL", report["overall"])]
    rows = []
    for label, entry in entries:
        row = [label, entry.get("units", report.get("units"))]
        for fig in figures:
            row += [fmt(entry.get(fig.name)), _ci_text(entry, fig.name)]
        rows.append(row)
    header = ["label", "units"]
    for fig in figures:
        header += [fig.title, "95% interval"]
    html = table(header, rows)
    extra = overall_only_figures(report)
    if extra:
        o = report["overall"]
        html += table(["overall figure", "value", "95% interval", "why undefined"],
                      [[f.title, fmt(o.get(f.name)), _ci_text(o, f.name), o.get(f"{f.name}_reason", "")]
                       for f in extra])
    reasons = [[label, fig.title, entry[f"{fig.name}_reason"]] for label, entry in entries for fig in figures
               if entry.get(fig.name) is None and f"{fig.name}_reason" in entry]
    if reasons:
        html += "<p class='note'>Undefined figures:</p>" + table(["label", "figure", "reason"], reasons)
    return html


def _figures_chart(report: dict) -> str:
    labels = list(report["labels"]) + ["OVERALL"]
    entries = [report["labels"][lab] for lab in labels[:-1]] + [report["overall"]]
    names = [(f.name, f.title) for f in label_figures(report) if f.name != "percent_agreement"]
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(labels) + 1.2))
    y = np.arange(len(labels))
    for k, (name, title) in enumerate(names):
        offset = (k - (len(names) - 1) / 2) * 0.22
        xs, ys, lo, hi = [], [], [], []
        for row, entry in enumerate(entries):
            value = entry.get(name)
            if value is None:
                continue
            ci = entry.get(f"{name}_ci") or [value, value]
            xs.append(value)
            ys.append(y[row] + offset)
            lo.append(max(0.0, value - ci[0]))
            hi.append(max(0.0, ci[1] - value))
        if xs:
            ax.errorbar(xs, ys, xerr=[lo, hi], fmt="o", capsize=3, markersize=4, label=title)
    ax.axvline(0, color="#999", linewidth=0.8)
    ax.axvline(0.8, color="#2a9d8f", linewidth=0.8, linestyle=":")
    ax.set_yticks(y, [_plain(lab) for lab in labels])
    ax.invert_yaxis()
    ax.set_xlabel("agreement beyond chance (95% interval)")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return _figure(figure_svg(fig), "Chance-corrected agreement per label, with bootstrap intervals.")


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"


def _kappa_heatmap(report: dict) -> str:
    names = report["annotators"]
    if len(names) < 2:
        return "<p class='muted'>Fewer than two annotators: no pairs.</p>"
    grid = np.full((len(names), len(names)), np.nan)
    np.fill_diagonal(grid, 1.0)
    pos = {n: k for k, n in enumerate(names)}
    for p in report["pairs"]:
        if p.get("cohen_kappa") is not None:
            grid[pos[p["a"]], pos[p["b"]]] = grid[pos[p["b"]], pos[p["a"]]] = p["cohen_kappa"]
    size = 1.2 + 0.6 * len(names)
    fig, ax = plt.subplots(figsize=(size + 1.2, size))
    shown = ax.imshow(np.ma.masked_invalid(grid), vmin=-1, vmax=1, cmap="RdBu")
    for (i, j), value in np.ndenumerate(grid):
        ax.text(j, i, "—" if np.isnan(value) else f"{value:.2f}", ha="center", va="center", fontsize=8,
                color="white" if abs(value) > 0.6 else "black")
    ticks = [_plain(n) for n in names]
    ax.set_xticks(range(len(names)), ticks, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), ticks)
    fig.colorbar(shown, ax=ax, shrink=0.8, label="Cohen's kappa")
    fig.tight_layout()
    return _figure(figure_svg(fig), "Cohen's kappa of every pair of annotators (mean over labels).")


def _prevalence_chart(report: dict) -> str:
    labels = list(report["labels"])
    names = report["annotators"]
    if not labels or not names:
        return ""
    fig, ax = plt.subplots(figsize=(max(5.0, 0.6 * len(labels) * max(1, len(names)) / 2 + 2), 3.4))
    width = 0.8 / len(names)
    x = np.arange(len(labels))
    for k, name in enumerate(names):
        shares = [report["labels"][lab]["prevalence"].get(name) for lab in labels]
        ax.bar(x + (k - (len(names) - 1) / 2) * width, [s if s is not None else 0 for s in shares], width,
               label=_plain(name))
    ax.set_xticks(x, [_plain(lab) for lab in labels], rotation=30, ha="right")
    ax.set_ylabel("share of units given the label")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _figure(figure_svg(fig), "How often each annotator gave each label: a gap points to a different "
                                    "reading of the guideline.")


def _confusion_tables(report: dict) -> str:
    parts = []
    for pair, conf in report.get("confusion", {}).items():
        a, _, b = pair.partition("|")
        if "by_label" in conf:
            rows = [[label, m[0][0], m[0][1], m[1][0], m[1][1]] for label, m in conf["by_label"].items()]
            parts.append(f"<h3>{esc(a)} vs {esc(b)}</h3>"
                         + table(["label", "both absent", f"only {a}", f"only {b}", "both present"], rows))
        else:
            rows = [[f"{a}: {lab}"] + list(row) for lab, row in zip(conf["labels"], conf["matrix"])]
            parts.append(f"<h3>{esc(a)} (rows) vs {esc(b)} (columns)</h3>"
                         + table([""] + [f"{b}: {lab}" for lab in conf["labels"]], rows))
    return "".join(parts)


def _disagreement_table(report: dict, data: LabelData) -> str:
    found = disagreements(data, report["annotators"])
    if not found:
        return "<p>No unit where the annotators disagree.</p>"
    names = report["annotators"]
    rows = [[d["item_id"], d["target"]] + [", ".join(d["labels"][n]) if n in d["labels"] else "(not finished)"
                                          for n in names]
            for d in found[:MAX_DISAGREEMENTS]]
    note = (f"<p class='note'>{len(found)} units with different answers"
            + (f"; the first {MAX_DISAGREEMENTS} are listed" if len(found) > MAX_DISAGREEMENTS else "")
            + ". An empty cell means the annotator gave no label there.</p>")
    return note + table(["item", "target"] + names, rows)


def _span_table(report: dict) -> str:
    spans = report.get("spans") or {}
    if not spans:
        return ""
    rows = [[label, fmt(s.get("alpha")), s.get("characters"), s["fields"], s.get("spans", ""),
             s.get("alpha_reason", "")] for label, s in spans.items()]
    return ("<h2>Span agreement</h2><p class='note'>Krippendorff's alpha over the characters of every field "
            "anyone marked with the label: 1 inside an annotator's spans, 0 outside.</p>"
            + table(["label", "alpha", "characters", "fields", "spans", "why undefined"], rows))


def render_agreement_html(report: dict, data: LabelData) -> str:
    """The report of `agreement_report` as a complete HTML page; `data` supplies the disagreement list."""
    summary = (f"<p>Taxonomy <b>{esc(report['taxonomy'])}</b>; annotators {esc(', '.join(report['annotators']))}; "
               f"{esc(report.get('units', 0))} units"
               + (f"; intervals from {esc(report['n_boot'])} bootstrap resamples of items" if report.get("n_boot")
                  else "")
               + ".</p>")
    if report.get("annotators_left_out"):
        summary += (f"<p class='note'>Left out (fewer than {esc(report.get('min_items'))} finished items): "
                    + esc(", ".join(f"{n} ({c})" for n, c in report["annotators_left_out"].items())) + ".</p>")
    pairs = report.get("pairs", [])
    pair_figures = [f for f in PAIR_FIGURES if pairs and f.name in pairs[0]]
    pair_rows = [[p["a"], p["b"], p["units"]] + [cell for f in pair_figures
                                                 for cell in (fmt(p.get(f.name)), _ci_text(p, f.name))]
                 for p in pairs]
    pair_header = ["a", "b", "units"] + [cell for f in pair_figures for cell in (f.title, "95% interval")]
    sections = [
        summary,
        HOW_TO_READ,
        "<h2>Figures per label</h2>", _figure_table(report), _figures_chart(report),
        "<h2>Pairs of annotators</h2>", _kappa_heatmap(report),
        f"<p class='note'>Pairs sharing at least {esc(report.get('min_shared'))} units; "
        f"{esc(report.get('pairs_left_out', 0))} other pairs left out.</p>",
        table(pair_header, pair_rows) if pairs else "",
        reliability_html(report.get("reliability")),
        "<h2>Prevalence by annotator</h2>", _prevalence_chart(report),
        "<h2>Confusion matrices</h2>", _confusion_tables(report),
        _span_table(report),
        anchoring_sections_html(report.get("anchoring") or {}),
        "<h2>Disagreements</h2>", _disagreement_table(report, data),
    ]
    return page(f"Agreement: {report['taxonomy']}", sections)
