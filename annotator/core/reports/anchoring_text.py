"""The anchoring comparison and per-annotator reliability in words: the lines the terminal table prints and
the one line the app's metric view shows."""

from __future__ import annotations

from typing import Any

RELIABILITY_TITLES = {"dawid-skene": "Dawid-Skene", "mace": "MACE"}
GROUPS = (("with", "with suggestions"), ("without", "without suggestions"))


def _kappa(entry: dict[str, Any], signed: bool = False) -> str:
    value = entry.get("cohen_kappa")
    if value is None:
        return "—"
    ci = entry.get("cohen_kappa_ci")
    text = f"{value:+.3f}" if signed else f"{value:.3f}"
    return text + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")


def anchoring_line(section: dict[str, Any]) -> str:
    """One line: the metric's kappa with the humans with and without its suggestions on screen, the
    difference, or why nothing can be compared."""
    head = f"Anchoring ({section['metric']}), Cohen's kappa of the humans with the metric:"
    parts = [f"{title} {_kappa(section[key])} on {section[key]['items']} items"
             for title, key in (("with suggestions", "with"), ("without", "without"))]
    line = f"{head} {parts[0]}, {parts[1]}; difference {_kappa(section['difference'], signed=True)}"
    return line + (f" ({section['note']})" if section.get("note") else "")


def anchoring_lines(sections: dict[str, dict[str, Any]]) -> list[str]:
    """A small table per metric: items, annotations, decisions, percent agreement and kappa per group."""
    lines: list[str] = []
    for metric, section in sections.items():
        lines += ["", f"Anchoring: agreement of the humans with {metric} on items done with and without its "
                      f"suggestions on screen (Cohen's kappa, [95% interval over items])"]
        rows = []
        for key, title in GROUPS:
            g = section[key]
            pa = g.get("percent_agreement")
            rows.append([title, str(g["items"]), str(g["annotations"]), str(g["decisions"]),
                         "—" if pa is None else f"{pa:.3f}", _kappa(g)])
        rows.append(["difference", "", "", "", "", _kappa(section["difference"], signed=True)])
        lines += grid(["group", "items", "annotations", "decisions", "agreement", "kappa"], rows)
        if section.get("note"):
            lines.append(f"note: {section['note']}")
    return lines


def reliability_lines(section: dict[str, Any]) -> list[str]:
    """Each annotator's estimated chance of giving the true answer, most reliable first."""
    title = RELIABILITY_TITLES.get(section["method"], section["method"])
    lines = ["", f"Per-annotator reliability ({title}; {section['note']})"]
    rows = [[r["annotator"], "—" if r["reliability"] is None else f"{r['reliability']:.3f}", str(r["answers"])]
            for r in reliability_rows(section)]
    return lines + (grid(["annotator", "reliability", "answers"], rows) if rows else [])


def reliability_rows(section: dict[str, Any] | None) -> list[dict[str, Any]]:
    """annotator, reliability, answers per annotator, most reliable first (those without an estimate last)."""
    entries = (section or {}).get("annotators") or {}
    rows = [{"annotator": name, **entry} for name, entry in entries.items()]
    return sorted(rows, key=lambda r: (r["reliability"] is None, -(r["reliability"] or 0.0)))


def grid(header: list[str], rows: list[list[str]]) -> list[str]:
    """Left-aligned first column, right-aligned others, a rule under the header."""
    widths = [max(len(str(r[k])) for r in [header] + rows) for k in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) if k == 0 else str(c).rjust(w)  # noqa: E731
                               for k, (c, w) in enumerate(zip(r, widths)))
    return [line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]
