"""The alternative annotator test as plain text for a terminal: the verdict in words, one line per human, and the
per-label tests of a multi-choice taxonomy beside the pooled one."""

from __future__ import annotations

from typing import Any

from ..stats.alt_test import explain_alt_test, human_outcome, wins_words


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _p(value: float | None) -> str:
    """p-values span many orders of magnitude: fixed decimals would print most of them as 0.000."""
    if value is None:
        return "-"
    return f"{value:.3f}" if value >= 0.001 else f"{value:.1e}"


def _label_verdict(result: dict[str, Any]) -> str:
    if result["passed"] is None:
        return f"not tested: {result.get('reason', 'too few annotators could be tested')}"
    return f"{'passes' if result['passed'] else 'does not pass'}: {wins_words(result)}"


def format_alt_test(result: dict[str, Any]) -> str:
    """The explanation, a table of the humans (each named "metric at least as good" or "human better") and, for
    multi-choice taxonomies, each label's own verdict on its 0/1 answers."""
    lines = [explain_alt_test(result), ""]
    width = max([len("annotator")] + [len(a["annotator"]) for a in result["annotators"]]) + 2
    head = f"{'annotator':<{width}}{'items':>6}{'p':>9}{'p adj.':>9}{'metric wins':>13}{'human wins':>12}  result"
    lines += [head, "-" * len(head)]
    for row in result["annotators"]:
        lines.append(f"{row['annotator']:<{width}}{row['items']:>6}{_p(row.get('p_value')):>9}"
                     f"{_p(row.get('p_adjusted')):>9}{_num(row.get('metric_advantage')):>13}"
                     f"{_num(row.get('human_advantage')):>12}  {human_outcome(row)}")
    lines.append(f"{result['items']} items (units) with the metric and at least two humans; epsilon "
                 f"{result['epsilon']:g}, false discovery rate {result['q']:g}")
    per_label = result.get("per_label") or {}
    if per_label:
        lines += ["", "label by label (each label alone, 0/1 answers):"]
        lab_width = max(len(lab) for lab in per_label) + 2
        for lab, res in per_label.items():
            lines.append(f"  {lab:<{lab_width}}{res['items']:>5} items  {_label_verdict(res)}")
    return "\n".join(lines)
