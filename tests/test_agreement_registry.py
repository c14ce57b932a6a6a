"""The figure registry: every report and view reads it by name, so a new figure is one entry plus its function."""

import json

import numpy as np
import pytest

from annotator.core.reports.agreement_html import render_agreement_html
from annotator.core.reports.agreement_text import format_agreement_table
from annotator.core.stats import registry
from annotator.core.stats.agreement import agreement_report
from annotator.core.stats.registry import CATEGORICAL, FIGURES, PAIR_FIGURES, Figure

from test_agreement_report import random_multi, verdict_data


def rated_share(stats):
    """A made-up figure for the test: the share of rated units that two or more annotators rated."""
    agree, shares = stats["agree"], stats["shares"]
    return agree[:, 0] / shares[:, 0], np.full(len(agree), "", dtype=object)


NEW = Figure("pairable_share", "Pairable share", "pairable", "Share of rated units with two ratings.",
             CATEGORICAL, ("agree", "shares"), rated_share)


def test_names_are_unique_and_every_entry_is_complete():
    names = [f.name for f in FIGURES]
    assert len(names) == len(set(names))
    for f in FIGURES:
        assert f.title and f.short and f.tip and f.scales and f.needs
    assert len({f.name for f in PAIR_FIGURES}) == len(PAIR_FIGURES)


def test_adding_a_figure_is_one_entry(monkeypatch):
    from annotator.gui.agreement_tables import label_columns, label_table_frame

    monkeypatch.setattr(registry, "FIGURES", FIGURES + (NEW,))
    data = random_multi(1)
    report = agreement_report(data, n_boot=50)
    json.dumps(report, allow_nan=False)
    for entry in [*report["labels"].values(), report["overall"]]:
        assert 0 < entry["pairable_share"] <= 1 and entry["pairable_share_ci"] is not None
    assert "pairable" in format_agreement_table(report)
    assert "Pairable share" in render_agreement_html(report, data)
    assert "pairable_share" in [c.key for c in label_columns(report)]
    assert "pairable_share" in label_table_frame(report, data.taxonomy).columns
    # a single-choice taxonomy gets it on its categories and per label too
    single = agreement_report(verdict_data(), n_boot=0)
    assert "pairable_share" in single["overall"] and "pairable_share" in single["labels"]["met"]


def test_columns_are_read_by_name_not_position():
    """The text table's columns follow the registry's order of the figures the report holds."""
    report = agreement_report(random_multi(2), n_boot=0)
    header = next(line for line in format_agreement_table(report).splitlines() if line.startswith("label")).split()
    primary = [f.short.split()[0] for f in FIGURES if f.primary]
    assert [h for h in header if h in primary] == primary


@pytest.mark.parametrize("n_annotators, present", [(2, True), (3, False)])
def test_two_annotator_figures_appear_only_with_two(n_annotators, present):
    report = agreement_report(random_multi(3), annotators=["ana", "ben", "cai"][:n_annotators], n_boot=0)
    assert ("scott_pi" in report["overall"]) is present
