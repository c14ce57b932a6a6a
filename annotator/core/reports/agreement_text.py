"""The agreement report as a terminal table: what `annotator agreement` prints without --json."""

from __future__ import annotations

FIGURE_COLUMNS = (
    ("percent_agreement", "% agree"),
    ("cohen_kappa_mean", "Cohen k"),
    ("fleiss_kappa", "Fleiss k"),
    ("krippendorff_alpha", "Kripp. a"),
)


def _cell(entry: dict, name: str) -> str:
    value = entry.get(name)
    if value is None:
        return "—"
    ci = entry.get(f"{name}_ci")
    return f"{value:.3f} [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else f"{value:.3f}"


def _grid(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(r[k])) for r in [header] + rows) for k in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) if k == 0 else str(c).rjust(w)  # noqa: E731
                               for k, (c, w) in enumerate(zip(r, widths)))
    return [line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]


def format_agreement_table(report: dict) -> str:
    """Per-label rows, the overall row, extra overall figures, pairs, and why any figure is undefined."""
    annotators = report.get("annotators", [])
    n_boot = report.get("n_boot")
    lines = [f"Agreement on taxonomy {report['taxonomy']}: {len(annotators)} annotators "
             f"({', '.join(annotators)}), {report.get('units', 0)} units"]
    if n_boot:
        lines.append(f"[brackets]: 95% percentile bootstrap interval over units, {n_boot} resamples")
    lines.append("")

    header = ["label", "units"] + [title for _, title in FIGURE_COLUMNS]
    rows = []
    undefined: list[str] = []
    for label, entry in report.get("labels", {}).items():
        rows.append([label, str(entry.get("units", ""))] + [_cell(entry, name) for name, _ in FIGURE_COLUMNS])
        undefined += [f"{label}: {title} undefined ({entry.get(f'{name}_reason', 'undefined')})"
                      for name, title in FIGURE_COLUMNS if entry.get(name) is None]
    overall = report.get("overall", {})
    rows.append(["OVERALL", str(report.get("units", ""))] + [_cell(overall, name) for name, _ in FIGURE_COLUMNS])
    undefined += [f"overall: {title} undefined ({overall.get(f'{name}_reason', 'undefined')})"
                  for name, title in FIGURE_COLUMNS if overall.get(name) is None]
    lines += _grid(header, rows)

    extra = [("masi_alpha", "MASI alpha over label sets"),
             ("krippendorff_alpha_ordinal", "Krippendorff's alpha, ordinal"),
             ("cohen_kappa_linear_mean", "Cohen's kappa, linear weights (mean over pairs)")]
    shown = [(name, title) for name, title in extra if name in overall]
    if shown:
        lines.append("")
        for name, title in shown:
            lines.append(f"{title}: {_cell(overall, name)}")
            if overall.get(name) is None:
                undefined.append(f"overall: {title} undefined ({overall.get(f'{name}_reason', 'undefined')})")

    pairs = report.get("pairs", [])
    if pairs:
        lines += ["", "Pairs"]
        linear = any("cohen_kappa_linear" in p for p in pairs)
        header = ["a", "b", "units", "% agree", "Cohen k"] + (["linear k"] if linear else [])
        rows = [[p["a"], p["b"], str(p["units"]), _cell(p, "percent_agreement"), _cell(p, "cohen_kappa")]
                + ([_cell(p, "cohen_kappa_linear")] if linear else []) for p in pairs]
        lines += _grid(header, rows)

    spans = report.get("spans", {})
    if spans:
        lines += ["", "Span agreement (Krippendorff's alpha over characters)"]
        rows = [[label, f"{s['alpha']:.3f}" if s.get("alpha") is not None else "—", str(s["characters"]),
                 str(s["fields"])] for label, s in spans.items()]
        lines += _grid(["label", "alpha", "characters", "fields"], rows)

    if undefined:
        lines += ["", "Undefined figures:"] + [f"  {text}" for text in undefined]
    return "\n".join(lines) + "\n"
