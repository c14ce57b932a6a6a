"""The agreement figures, one entry each: what the JSON, the text table, the HTML report and the app read.

An entry names the figure, gives its title and a one-line tip, says which blocks of ratings it applies to
(`binary`: a label present or absent; `nominal`: the categories of a single-choice taxonomy; `ordinal`: their
positions on an ordered scale; `sets`: whole label sets), which summed per-unit statistics it reads, and how
to turn those sums into the figure. The same function gives the point value (the sums over every unit) and the
bootstrap (the sums per resample of items), so a figure's interval can never drift from its value.

Adding a figure is one entry here plus its function in `coefficients.py`; every report and view picks it up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

import numpy as np
import scipy.sparse as sp

from . import coefficients as cf

Scale = Literal["binary", "nominal", "ordinal", "sets"]
CATEGORICAL: frozenset[Scale] = frozenset({"binary", "nominal"})
ORDINAL: frozenset[Scale] = frozenset({"ordinal"})


@dataclass
class Stats:
    """The summed statistics of one block of ratings; each array's first axis is the resample (one row for
    the point value). `distances` is set for label-set blocks (MASI)."""

    q: int
    n_annotators: int
    sums: dict[str, np.ndarray]
    distances: np.ndarray | None = None

    def __getitem__(self, group: str) -> np.ndarray:
        return np.atleast_2d(self.sums[group])

    def confusions(self) -> np.ndarray:
        """(resamples, pairs, q, q): the kept pairs' confusion matrices."""
        pairs = self["pairs"]
        return pairs.reshape(len(pairs), -1, self.q, self.q)

    def weights(self, kind: cf.Weights = "identity") -> np.ndarray:
        return cf.weight_matrix(self.q, kind)


@dataclass(frozen=True)
class Figure:
    """One agreement figure. `compute` maps summed statistics to (values, reasons) per resample; `bootstrap`
    says how its interval is drawn (`items`: all units of a drawn item together; None: no interval)."""

    name: str
    title: str
    short: str
    tip: str
    scales: frozenset[Scale]
    needs: tuple[str, ...]
    compute: Callable[[Stats], cf.Result]
    bootstrap: Literal["items"] | None = "items"
    primary: bool = False  # a column of the terminal's main table; the others follow in a second one
    two_annotators: bool = False  # defined for exactly two annotators; left out of reports with more

    def applies(self, scale: Scale, n_annotators: int) -> bool:
        return scale in self.scales and (not self.two_annotators or n_annotators == 2)


@dataclass(frozen=True)
class PairFigure:
    """A figure of one pair of annotators, read from the pair's confusion matrix (per resample)."""

    name: str
    title: str
    tip: str
    scales: frozenset[Scale]
    compute: Callable[[np.ndarray, int], cf.Result] = field(repr=False)


def _cohen_mean(kind: cf.Weights) -> Callable[[Stats], cf.Result]:
    return lambda s: cf.mean_over_pairs(*cf.kappa_from_confusions(s.confusions(), s.weights(kind)))


def _masi(s: Stats) -> cf.Result:
    sums = s["masi"]
    n_c = sums[:, 2:]
    expected = ((n_c @ s.distances) * n_c).sum(axis=1)
    return cf.alpha_from_parts(sums[:, 0], sums[:, 1], expected, n_c.sum(axis=1))


FIGURES: tuple[Figure, ...] = (
    Figure("percent_agreement", "% agreement", "% agree",
           "Per unit, the share of annotator pairs giving the same answer, averaged over units (Fleiss' P-bar); "
           "high whenever a label is rare.",
           CATEGORICAL, ("agree",), lambda s: cf.percent_from(s["agree"]), primary=True),
    Figure("cohen_kappa_mean", "Cohen's κ (pair mean)", "Cohen k",
           "Cohen's kappa of each pair of annotators sharing enough units (--min-shared), then the mean.",
           CATEGORICAL, ("pairs",), _cohen_mean("identity"), primary=True),
    Figure("fleiss_kappa", "Fleiss' κ", "Fleiss k",
           "Fleiss' kappa generalised to any number of ratings per unit (Gwet; irrCAC fleiss.kappa.raw).",
           CATEGORICAL, ("agree", "shares"),
           lambda s: cf.fleiss_from(s["agree"], s["shares"], s.weights()), primary=True),
    Figure("krippendorff_alpha", "Krippendorff's α", "Kripp. a",
           "Nominal Krippendorff's alpha over every unit with two or more answers; made for missing answers.",
           CATEGORICAL, ("coinc",), lambda s: cf.alpha_from(s["coinc"], "nominal"), primary=True),
    Figure("gwet_ac1", "Gwet's AC1", "AC1",
           "Gwet's AC1: chance agreement shrinks when a label is rare, so it avoids the kappa paradox.",
           CATEGORICAL, ("agree", "shares"),
           lambda s: cf.gwet_from(s["agree"], s["shares"], s.weights()), primary=True),
    Figure("brennan_prediger", "Brennan-Prediger", "B-P",
           "Chance is a uniform pick among the categories (1/q): the simplest chance correction.",
           CATEGORICAL, ("agree",), lambda s: cf.brennan_prediger_from(s["agree"], s.weights())),
    Figure("conger_kappa", "Conger's κ", "Conger k",
           "Cohen's kappa generalised to several annotators: chance from each annotator's own label shares.",
           CATEGORICAL, ("agree", "raters"), lambda s: cf.conger_from(s["agree"], s["raters"], s.weights())),
    Figure("scott_pi", "Scott's π", "Scott pi",
           "Two annotators only: chance from their pooled label shares (Fleiss' kappa generalises it).",
           CATEGORICAL, ("coinc",), lambda s: cf.scott_from(s["coinc"], s.n_annotators, s.weights()),
           two_annotators=True),
    Figure("krippendorff_alpha_ordinal", "Krippendorff's α, ordinal", "alpha ord",
           "Krippendorff's alpha with ordinal distances (labels outside the scale left out).",
           ORDINAL, ("coinc",), lambda s: cf.alpha_from(s["coinc"], "ordinal")),
    Figure("krippendorff_alpha_interval", "Krippendorff's α, interval", "alpha int",
           "Krippendorff's alpha with squared distances between scale positions.",
           ORDINAL, ("coinc",), lambda s: cf.alpha_from(s["coinc"], "interval")),
    Figure("cohen_kappa_linear_mean", "Cohen's κ, linear weights", "k linear",
           "Linearly weighted Cohen's kappa per pair of annotators, then the mean.",
           ORDINAL, ("pairs",), _cohen_mean("linear")),
    Figure("cohen_kappa_quadratic", "Cohen's κ, quadratic weights", "k quadr.",
           "Quadratically weighted Cohen's kappa per pair of annotators, then the mean.",
           ORDINAL, ("pairs",), _cohen_mean("quadratic")),
    Figure("gwet_ac2_linear", "Gwet's AC2, linear", "AC2 lin",
           "Gwet's AC2 with linear weights: partial credit for neighbouring ratings.",
           ORDINAL, ("agree_linear", "shares"),
           lambda s: cf.gwet_from(s["agree_linear"], s["shares"], s.weights("linear"))),
    Figure("gwet_ac2_quadratic", "Gwet's AC2, quadratic", "AC2 quad",
           "Gwet's AC2 with quadratic weights.",
           ORDINAL, ("agree_quadratic", "shares"),
           lambda s: cf.gwet_from(s["agree_quadratic"], s["shares"], s.weights("quadratic"))),
    Figure("masi_alpha", "MASI α (label sets)", "MASI a",
           "Krippendorff's alpha with the MASI distance between whole label sets (partial credit).",
           frozenset({"sets"}), ("masi",), _masi),
)

PAIR_FIGURES: tuple[PairFigure, ...] = (
    PairFigure("percent_agreement", "% agreement", "Share of the pair's shared units with the same answer.",
               CATEGORICAL, lambda conf, q: cf.pair_percent_from(conf)),
    PairFigure("cohen_kappa", "Cohen's κ", "The pair's Cohen's kappa (mean over labels).",
               CATEGORICAL, lambda conf, q: cf.kappa_from_confusions(conf, cf.weight_matrix(q))),
    PairFigure("cohen_kappa_linear", "Cohen's κ, linear", "The pair's linearly weighted kappa.",
               ORDINAL, lambda conf, q: cf.kappa_from_confusions(conf, cf.weight_matrix(q, "linear"))),
)

def figure(name: str) -> Figure:
    """The registry entry of a figure by name (read at call time, so an added entry is found)."""
    for f in FIGURES:
        if f.name == name:
            return f
    raise KeyError(f"no agreement figure {name!r}")


def figures_for(scale: Scale, n_annotators: int = 2) -> list[Figure]:
    """The figures a block of this scale reports for this many annotators, in registry order."""
    return [f for f in FIGURES if f.applies(scale, n_annotators)]


def pair_figures_for(scale: Scale) -> list[PairFigure]:
    return [f for f in PAIR_FIGURES if scale in f.scales]


def _group_rows(group: str, codes: np.ndarray, counts: np.ndarray, q: int, pairs: np.ndarray,
                distances: np.ndarray | None) -> np.ndarray:
    if group == "agree":
        return cf.agreement_rows(counts)
    if group in ("agree_linear", "agree_quadratic"):
        return cf.agreement_rows(counts, cf.weight_matrix(q, group.removeprefix("agree_")))  # type: ignore[arg-type]
    if group == "shares":
        return cf.share_rows(counts)
    if group == "coinc":
        return cf.coincidence_rows(counts)
    if group == "raters":
        return cf.rater_rows(codes, q, sparse=True)
    if group == "pairs":
        return cf.pair_rows(codes, pairs, q, sparse=True)
    if group == "masi":
        return masi_rows(counts, distances)
    raise KeyError(f"no statistic {group!r}")


def unit_rows(scale: Scale, codes: np.ndarray, q: int, pairs: np.ndarray, distances: np.ndarray | None = None
              ) -> tuple[sp.csr_matrix, dict[str, slice]]:
    """Per-unit rows of every statistic the block's figures (and pair figures) read, and each one's columns.

    Sparse: a crowd's per-annotator and per-pair columns run to thousands, of which a unit fills a few."""
    counts = cf.value_counts(codes, q)
    groups: list[str] = []
    for fig in figures_for(scale):
        groups += [g for g in fig.needs if g not in groups]
    if pair_figures_for(scale) and "pairs" not in groups:
        groups.append("pairs")
    parts, slices, start = [], {}, 0
    for group in groups:
        rows = _group_rows(group, codes, counts, q, pairs, distances)
        parts.append(sp.csr_matrix(rows))
        slices[group] = slice(start, start + rows.shape[1])
        start += rows.shape[1]
    return (sp.hstack(parts, format="csr") if parts else sp.csr_matrix((codes.shape[1], 0))), slices


def masi_rows(counts: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """Per unit, for alpha with a fixed distance: [pairable, sum of coincidences x distance, value counts]."""
    given = counts.sum(axis=1)
    pairable = given >= 2
    observed = np.zeros(len(counts))
    c = counts[pairable]
    observed[pairable] = ((c @ distances) * c).sum(axis=1) / (given[pairable] - 1)
    return np.column_stack([pairable.astype(float), observed, counts * pairable[:, None]])
