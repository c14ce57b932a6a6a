"""The F1 report as a terminal table and as an HTML page."""

from __future__ import annotations

import re

from annotator.core.reports.f1_html import render_f1_html
from annotator.core.reports.f1_text import format_f1_table
from annotator.core.stats.f1 import f1_report

from test_f1 import MULTI, make_data, single_case, two_annotator_case


def hostile_case():
    """Two annotators and a metric on an item whose id is markup."""
    bad = "<script>alert(1)</script>"
    return make_data(
        MULTI, {bad: ["c1", "c2"]}, done=[(bad, "a"), (bad, "b"), (bad, "c")],
        labels=[(bad, "a", "criterion:c1", "vague"), (bad, "b", "criterion:c1", "vague"),
                (bad, "a", "criterion:c2", "bundled"), (bad, "b", "criterion:c2", "bundled")],
        predictions=[(bad, "m", "criterion:c2", "vague", 0.7), (bad, "m", "criterion:c1", "vague", 0.2)])


def test_text_table_lists_each_label_with_its_figures() -> None:
    report = f1_report(two_annotator_case(), "m")
    text = format_f1_table(report)
    line = next(l for l in text.splitlines() if l.startswith("vague"))
    assert re.search(r"0\.500\s+0\.500\s+0\.500", line)  # P, R, F1 from the hand-checked case
    assert "threshold 0.5" in text and "2 left out as exact ties" in text
    assert "bundled" in text and "gaps" in text
    assert "1 false positives, 1 false negatives" in text


def test_text_table_for_single_choice_shows_accuracy() -> None:
    text = format_f1_table(f1_report(single_case(), "j"))
    assert "accuracy 0.500" in text and "threshold" not in text.splitlines()[0]


def test_text_table_shows_calibration_columns_when_present() -> None:
    report = f1_report(two_annotator_case(), "m")
    report["labels"]["vague"].update({"ece": 0.125, "brier": 0.2, "reliability": []})
    text = format_f1_table(report)
    assert "ECE" in text and "0.125" in text


def test_html_page_has_charts_tables_and_escapes_text() -> None:
    html = render_f1_html(f1_report(hostile_case(), "m"))
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") == 3  # bars and sweep
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "False positives" in html and "False negatives" in html
    assert "Each annotator against the others" in html
    assert not re.search(r"(?:src|href)=[\"']https?:", html)  # nothing fetched from a network


def test_html_page_without_sweep_or_ceiling() -> None:
    data = two_annotator_case()
    binary = make_data(MULTI, {"i1": ["c1", "c2"], "i2": ["c1", "c2"]}, data.done.values.tolist(),
                       data.labels.values.tolist(), predictions=[("i1", "m", "criterion:c1", "vague", 1.0)])
    html = render_f1_html(f1_report(binary, "m", annotators=["a"]))
    assert html.count("<svg") == 1 and "Threshold sweep" not in html
    assert "No human ceiling" in html
