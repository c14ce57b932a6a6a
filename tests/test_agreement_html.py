"""The agreement report rendered for the terminal and as a self-contained HTML page."""

import re

from annotator.core.reports.agreement_html import MAX_DISAGREEMENTS, render_agreement_html
from annotator.core.reports.agreement_text import format_agreement_table
from annotator.core.stats.agreement import agreement_report
from annotator.core.stats.data import LabelData
from annotator.core.stats.disagreements import disagreements

from test_agreement_report import random_multi, verdict_data

HOSTILE = "<script>alert('x')</script>"


def rename(data: LabelData, old: str, new: str) -> LabelData:
    swap = lambda df: df.assign(annotator=df["annotator"].replace(old, new))  # noqa: E731
    return LabelData(taxonomy=data.taxonomy, units=data.units, done=swap(data.done), labels=swap(data.labels))


def test_text_table_lists_labels_overall_pairs_and_reasons():
    data = random_multi(6)
    data = LabelData(taxonomy=data.taxonomy, units=data.units, done=data.done,
                     labels=data.labels[data.labels["label"] != "missing"])
    report = agreement_report(data, n_boot=50)
    text = format_agreement_table(report)
    lines = text.splitlines()
    assert any(line.startswith("vague") for line in lines)
    overall = next(line for line in lines if line.startswith("OVERALL"))
    assert f"{report['overall']['krippendorff_alpha']:.3f}" in overall
    assert any(re.match(r"ana\s+ben\s+60\s", line) for line in lines)
    assert "missing: Krippendorff's α undefined (no variation" in text
    assert "MASI α (label sets)" in text


def test_text_table_for_ordinal_taxonomy_shows_ordinal_figures():
    text = format_agreement_table(agreement_report(verdict_data(), n_boot=0))
    assert "Krippendorff's α, ordinal" in text and "Cohen's κ, linear" in text
    assert "[" not in text.split("Pairs")[0].split("\n", 2)[2]  # no intervals were asked for


def test_html_page_is_self_contained_and_escapes_input_text():
    data = rename(random_multi(2), "cai", HOSTILE)
    report = agreement_report(data, n_boot=50)
    html = render_agreement_html(report, data)
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") >= 3
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:|//)", html)  # nothing is fetched
    for section in ("Figures per label", "Pairs of annotators", "Prevalence by annotator", "Confusion matrices",
                    "Disagreements", "How to read this"):
        assert section in html


def test_html_lists_at_most_the_first_disagreements():
    data = verdict_data(1, n_items=150)
    found = len(disagreements(data))
    assert found > MAX_DISAGREEMENTS
    body = render_agreement_html(agreement_report(data, n_boot=0), data).split("<h2>Disagreements</h2>", 1)[1]
    assert body.count("<tr>") - 1 == MAX_DISAGREEMENTS
    assert f"{found} units with different answers; the first {MAX_DISAGREEMENTS} are listed" in body
