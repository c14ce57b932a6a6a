"""The F1 report as plain text for a terminal: one line per label, the metric beside the human ceiling."""

from __future__ import annotations

from typing import Any

from ..stats.f1 import describe_ceiling


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def format_f1_table(report: dict[str, Any]) -> str:
    """A fixed-width table of the report of `f1_report`, with the totals and what was left out underneath,
    so the command line prints what a reader needs without the JSON."""
    ceiling = report.get("human_ceiling") or {}
    ceiling_labels = ceiling.get("labels") or {}
    labels = report.get("labels") or {}
    width = max([len("label")] + [len(k) for k in labels]) + 2
    scored = any("ece" in v for v in labels.values())
    head = (f"{'label':<{width}}{'P':>7}{'R':>7}{'F1':>7}{'human F1':>10}{'support':>9}{'tp':>6}{'fp':>6}{'fn':>6}"
            + (f"{'ECE':>7}{'Brier':>7}" if scored else ""))
    lines = [f"metric {report['metric']} vs humans on taxonomy {report['taxonomy']}"
             + ("" if report.get("choice") == "single" else f", threshold {report['threshold']:g}"),
             head, "-" * len(head)]
    for lab, fig in labels.items():
        row = (f"{lab:<{width}}{_num(fig['precision']):>7}{_num(fig['recall']):>7}{_num(fig['f1']):>7}"
               f"{_num((ceiling_labels.get(lab) or {}).get('f1')):>10}{fig['support']:>9}{fig['tp']:>6}"
               f"{fig['fp']:>6}{fig['fn']:>6}")
        if scored:
            row += f"{_num(fig.get('ece')):>7}{_num(fig.get('brier')):>7}"
        lines.append(row)
    lines.append("-" * len(head))
    lines.append(f"micro F1 {_num(report.get('micro_f1'))}   macro F1 {_num(report.get('macro_f1'))}"
                 + (f"   accuracy {_num(report.get('accuracy'))}" if "accuracy" in report else ""))
    human = f"human ceiling: micro F1 {_num(ceiling.get('micro_f1'))}   macro F1 {_num(ceiling.get('macro_f1'))}"
    if "accuracy" in ceiling:
        human += f"   accuracy {_num(ceiling.get('accuracy'))}"
    if ceiling.get("reason"):
        human = f"human ceiling: none ({ceiling['reason']})"
    lines.append(human)
    if not ceiling.get("reason"):
        lines.append(f"  ({describe_ceiling(ceiling)})")
    lines.append(f"{report['units']} units compared; {report['ties_excluded']} left out as exact ties")
    best = [(lab, s["best_threshold"], s["best_f1"]) for lab, s in (report.get("sweep") or {}).items()
            if s.get("best_f1") is not None]
    if best:
        lines.append("best thresholds: " + ", ".join(f"{lab} {t:g} (F1 {_num(f)})" for lab, t, f in best))
    errors = report.get("errors") or {}
    lines.append(f"{len(errors.get('false_positives', []))} false positives, "
                 f"{len(errors.get('false_negatives', []))} false negatives (see --json or --html)")
    return "\n".join(lines)
