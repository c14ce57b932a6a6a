"""The agreement report as a terminal table: what `annotator agreement` prints without --json.

Columns come from the figure registry by name: a figure the report holds is shown, in registry order, with
its short title; nothing here counts positions.
"""

from __future__ import annotations

from ..stats import registry
from ..stats.registry import PAIR_FIGURES, Figure
from .anchoring_text import anchoring_lines, grid, reliability_lines


def _cell(entry: dict, name: str) -> str:
    value = entry.get(name)
    if value is None:
        return "—"
    ci = entry.get(f"{name}_ci")
    return f"{value:.3f} [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else f"{value:.3f}"


def label_figures(report: dict) -> list[Figure]:
    """The registry's figures the report gives per label, in registry order."""
    entries = list(report.get("labels", {}).values())
    return [f for f in registry.FIGURES if entries and f.name in entries[0]]


def overall_only_figures(report: dict) -> list[Figure]:
    """The figures the report gives for the taxonomy as a whole but not per label (MASI, ordinal figures)."""
    per_label = {f.name for f in label_figures(report)}
    return [f for f in registry.FIGURES if f.name in report.get("overall", {}) and f.name not in per_label]


def _who(report: dict) -> list[str]:
    annotators = report.get("annotators", [])
    lines = [f"Agreement on taxonomy {report['taxonomy']}: {len(annotators)} annotators "
             f"({', '.join(annotators)}), {report.get('units', 0)} units in {report.get('items', 0)} items"]
    left = report.get("annotators_left_out") or {}
    if left:
        lines.append(f"left out (fewer than {report.get('min_items')} finished items; name them with --annotators "
                     "to include): " + ", ".join(f"{name} ({n})" for name, n in left.items()))
    if report.get("n_boot"):
        lines.append(f"[brackets]: 95% percentile bootstrap interval over items, {report['n_boot']} resamples")
    return lines


def format_agreement_table(report: dict) -> str:
    """Per-label rows, the overall row, extra overall figures, pairs, and why any figure is undefined."""
    lines = _who(report) + [""]
    undefined: list[str] = []
    overall = report.get("overall", {})
    per_label = label_figures(report)
    for figures in ([f for f in per_label if f.primary], [f for f in per_label if not f.primary]):
        if not figures:
            continue
        rows = []
        for label, entry in report.get("labels", {}).items():
            rows.append([label, str(entry.get("units", ""))] + [_cell(entry, f.name) for f in figures])
            undefined += [f"{label}: {f.title} undefined ({entry.get(f'{f.name}_reason', 'undefined')})"
                          for f in figures if entry.get(f.name) is None]
        rows.append(["OVERALL", str(report.get("units", ""))] + [_cell(overall, f.name) for f in figures])
        undefined += [f"overall: {f.title} undefined ({overall.get(f'{f.name}_reason', 'undefined')})"
                      for f in figures if overall.get(f.name) is None]
        lines += grid(["label", "units"] + [f.short for f in figures], rows) + [""]

    for fig in overall_only_figures(report):
        lines.append(f"{fig.title}: {_cell(overall, fig.name)}")
        if overall.get(fig.name) is None:
            undefined.append(f"overall: {fig.title} undefined ({overall.get(f'{fig.name}_reason', 'undefined')})")

    pairs = report.get("pairs", [])
    left = report.get("pairs_left_out", 0)
    if pairs or left:
        lines += ["", f"Pairs sharing at least {report.get('min_shared')} units"
                  + (f" ({left} other pairs left out)" if left else "")]
    if pairs:
        shown = [f for f in PAIR_FIGURES if f.name in pairs[0]]
        rows = [[p["a"], p["b"], str(p["units"])] + [_cell(p, f.name) for f in shown] for p in pairs]
        lines += grid(["a", "b", "units"] + [f.title for f in shown], rows)

    spans = report.get("spans", {})
    if spans:
        lines += ["", "Span agreement (Krippendorff's alpha over characters)"]
        rows = [[label, f"{s['alpha']:.3f}" if s.get("alpha") is not None else "—",
                 "—" if s.get("characters") is None else str(s["characters"]), str(s["fields"])]
                for label, s in spans.items()]
        lines += grid(["label", "alpha", "characters", "fields"], rows)
        undefined += [f"spans {label}: {s['alpha_reason']}" for label, s in spans.items() if s.get("alpha_reason")]

    if report.get("reliability"):
        lines += reliability_lines(report["reliability"])
    lines += anchoring_lines(report.get("anchoring") or {})

    if undefined:
        lines += ["", "Undefined figures:"] + [f"  {text}" for text in undefined]
    return "\n".join(lines) + "\n"
