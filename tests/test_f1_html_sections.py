"""The F1 page's calibration, alternative-annotator-test and partition sections: present when given, absent
when not, and never turning a name from the input into markup."""

from __future__ import annotations

import re

import pytest

from annotator.core.reports.f1_html import render_f1_html
from annotator.core.stats.alt_test import alt_test, explain_alt_test
from annotator.core.stats.f1 import f1_report
from annotator.core.stats.partitions import agreement_partitions
from annotator.core.store import Project

BAD = "<b>x</b>$\\alpha$"


@pytest.fixture(scope="module")
def data(module_sample):
    with Project.open(module_sample) as project:
        return project.label_data("rift")


@pytest.fixture(scope="module")
def judge_small(data) -> dict:
    """judge-small's F1 report on the sample; tests read it (a changed copy is made with `{**report, ...}`)."""
    return f1_report(data, "judge-small")


@pytest.fixture(scope="module")
def judge_small_page(judge_small) -> str:
    """The F1 page of `judge_small` with no optional section: drawing its charts is most of a test's time."""
    return render_f1_html(judge_small)


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", html, flags=re.DOTALL)


def test_graded_metric_gets_a_calibration_table_and_reliability_curves(judge_small, judge_small_page) -> None:
    report, html = judge_small, judge_small_page
    assert "<h2>Calibration</h2>" in html
    calibration = html[html.index("<h2>Calibration</h2>"):]
    for lab, fig in report["labels"].items():
        assert f"<td>{lab}</td>" in calibration
        assert f"<td>{fig['ece']:.3f}</td><td>{fig['brier']:.3f}</td>" in calibration
    assert len(_svgs(html)) == 3  # bars, sweep, and the reliability small multiples
    assert "Reliability per label" in html and "diagonal" in html


def test_binary_metric_has_no_calibration_section(data) -> None:
    html = render_f1_html(f1_report(data, "keyword-baseline"))
    assert "<h2>Calibration</h2>" not in html and len(_svgs(html)) == 1


def test_alt_test_and_partitions_sections(data, judge_small) -> None:
    report = judge_small
    alt = alt_test(data, "judge-small", epsilon=0.15)
    parts = agreement_partitions(data, data.metrics)
    html = render_f1_html(report, alt_test=alt, partitions=parts)
    assert "<h2>Alternative annotator test</h2>" in html
    section = html[html.index("<h2>Alternative annotator test</h2>"):html.index("<h2>Agreement by kind of pair")]
    verdict = "passes" if alt["passed"] else "does not pass"
    assert f"judge-small {verdict} the test" in section and "epsilon 0.15" in section
    assert explain_alt_test(alt).replace("'", "&#x27;") in section
    for a in alt["annotators"]:
        assert f"<td>{a['annotator']}</td><td>{a['items']}</td>" in section
        assert ("<td>metric at least as good</td>" if a["rejected"] else "<td>human better</td>") in section
    assert f"<td>{alt['winning_rate']:.3f}</td><td>{alt['advantage_probability']:.3f}</td>" in section
    partitions = html[html.index("<h2>Agreement by kind of pair"):]
    o = parts["overall"]
    assert (f"<td>overall</td><td>{o['human_human']:.3f}</td><td>{o['human_metric']:.3f}</td>"
            f"<td>{o['metric_metric']:.3f}</td>") in partitions
    assert len(re.findall(r"<td>(?:human|metric)–(?:human|metric)</td>", partitions)) == len(parts["pairs"])


def test_sections_are_left_out_unless_given_and_skips_are_explained(judge_small, judge_small_page) -> None:
    report, html = judge_small, judge_small_page
    assert "Alternative annotator test" not in html and "Agreement by kind of pair" not in html
    html = render_f1_html(report, skipped={"Alternative annotator test": "only <2> humans"})
    assert "Not computed: only &lt;2&gt; humans" in html


def test_names_from_input_are_escaped_everywhere(data) -> None:
    report = f1_report(data, "judge-small")
    alt = alt_test(data, "judge-small")
    parts = agreement_partitions(data, data.metrics)
    report = {**report, "metric": BAD, "labels": {BAD: next(iter(report["labels"].values()))},
              "sweep": {BAD: next(iter(report["sweep"].values()))}, "human_ceiling": {}}
    report["errors"] = {"false_positives": [{"item_id": BAD, "target": BAD, "label": BAD, "score": 0.9}],
                        "false_negatives": []}
    alt = {**alt, "metric": BAD, "annotators": [dict(alt["annotators"][0], annotator=BAD)],
           "per_label": {BAD: next(iter(alt["per_label"].values()))}}
    parts = {**parts, "pairs": [dict(parts["pairs"][0], a=BAD)], "by_metric": {BAD: {"human_metric": 0.5}}}
    html = render_f1_html(report, alt_test=alt, partitions=parts)
    assert "<b>x</b>" not in html
    assert html.count("&lt;b&gt;x&lt;/b&gt;") >= 8
    assert not re.search(r"(?:src|href)=[\"']https?:", html)
