"""Per-annotator reliability and the anchoring comparison as HTML sections of the agreement and F1 pages."""

from __future__ import annotations

from typing import Any

from .anchoring_text import GROUPS, RELIABILITY_TITLES, reliability_rows
from .page import esc, fmt, table

ANCHORING_NOTE = """
<p class='note'>Annotators who see a metric's suggestions may follow them. Each group pools the decisions of
every annotator on the items they finished with (or without) this metric's suggestions on screen; Cohen's kappa
measures how often the humans agree with the metric beyond chance. A clearly positive difference means the
suggestions pulled the annotators towards the metric: the metric's F1 against labels given under its own
suggestions is then flattering. Intervals are 95% percentile bootstrap intervals over items.</p>
"""


def _interval(entry: dict[str, Any]) -> str:
    ci = entry.get("cohen_kappa_ci")
    return f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""


def anchoring_html(section: dict[str, Any]) -> str:
    """One metric's comparison: a row per group and the difference, then the note when nothing compares."""
    rows = [[title, section[key]["items"], section[key]["annotations"], section[key]["decisions"],
             fmt(section[key].get("percent_agreement")), fmt(section[key].get("cohen_kappa")),
             _interval(section[key])] for key, title in GROUPS]
    rows.append(["difference (with − without)", "", "", "", "", fmt(section["difference"].get("cohen_kappa")),
                 _interval(section["difference"])])
    html = (f"<h3>{esc(section['metric'])}</h3>"
            + table(["group", "items", "annotations", "decisions", "percent agreement", "Cohen's kappa",
                     "95% interval"], rows))
    if section.get("note"):
        html += f"<p class='muted'>{esc(section['note'])}.</p>"
    return html


def anchoring_sections_html(sections: dict[str, dict[str, Any]]) -> str:
    """The anchoring heading, how to read it, and one table per metric (nothing when no metric compares)."""
    if not sections:
        return ""
    return ("<h2>Anchoring: agreement with a metric with and without its suggestions</h2>" + ANCHORING_NOTE
            + "".join(anchoring_html(s) for s in sections.values()))


def reliability_html(section: dict[str, Any] | None) -> str:
    """The per-annotator reliability table, most reliable first, with the model's name and its caveat."""
    if not section:
        return ""
    title = RELIABILITY_TITLES.get(section["method"], section["method"])
    note = (f"<p class='note'>Each annotator's estimated chance of giving the true answer, from a {esc(title)} "
            f"model fitted to the chosen annotators' finished work (for a multi-choice taxonomy, the mean over "
            f"labels weighted by answers). It is {esc(section['note'])}.</p>")
    rows = [[r["annotator"], fmt(r["reliability"]), r["answers"]] for r in reliability_rows(section)]
    return (f"<h2>Per-annotator reliability ({esc(title)})</h2>" + note
            + (table(["annotator", "reliability", "answers"], rows) if rows else ""))
