"""Gold answers from a model of each annotator's reliability: Dawid-Skene and MACE.

A majority vote trusts every annotator alike, so one careless annotator among three decides as many units as
a careful one. A reliability model estimates, from the answers alone, how far each annotator can be trusted
and weighs their answers by it:

- Dawid-Skene (1979) gives each annotator a confusion matrix (the chance of answering k when the truth is t)
  and fits it with EM, starting from the vote shares.
- MACE (Hovy et al., 2013) says each answer is either the truth (with the annotator's *competence*) or drawn
  from the annotator's own spamming distribution; its competence is a single, readable number.

Both take an annotator x unit matrix of category codes 0..K-1 with NaN where an annotator gave no answer
(the shape `LabelData.presence_matrix` and `category_matrix` return), and are deterministic: MACE's random
restarts come from a seeded generator. crowd-kit implements both; it is far too heavy for a desktop app, so
these small versions are checked against it in the tests instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHODS = ("dawid-skene", "mace")
_TINY = np.finfo(float).eps


@dataclass(frozen=True)
class ReliabilityFit:
    """A fitted model. `posteriors[u, k]` is the chance that unit u's true answer is k (units nobody answered
    have NaN rows); `reliability[a]` is annotator a's chance of giving the true answer (Dawid-Skene: accuracy
    weighted by the estimated class shares; MACE: competence)."""

    method: str
    posteriors: np.ndarray
    reliability: np.ndarray
    iterations: int

    def answers(self) -> np.ndarray:
        """The most probable answer per unit as a float array: NaN where nobody answered or where two answers
        are exactly as probable (a tie, left out as a majority tie is)."""
        out = np.full(len(self.posteriors), np.nan)
        answered = ~np.isnan(self.posteriors).any(axis=1)
        if answered.any():
            post = self.posteriors[answered]
            best = post.argmax(axis=1)
            top = post.max(axis=1)
            tied = (np.isclose(post, top[:, None], rtol=0, atol=1e-12)).sum(axis=1) > 1
            out[np.flatnonzero(answered)] = np.where(tied, np.nan, best)
        return out


def _observations(matrix: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(annotator, unit, answer) index arrays of the given answers, after checking the codes."""
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2:
        raise ValueError("expected an annotator x unit matrix")
    if n_classes < 2:
        raise ValueError("a reliability model needs at least two categories")
    ann, unit = np.nonzero(~np.isnan(matrix))
    answer = matrix[ann, unit]
    if len(answer) and (answer.min() < 0 or answer.max() >= n_classes or np.any(answer != np.round(answer))):
        raise ValueError(f"answers must be category codes 0..{n_classes - 1} (NaN for missing)")
    return ann, unit, answer.astype(int)


def _vote_shares(unit: np.ndarray, answer: np.ndarray, n_units: int, n_classes: int) -> np.ndarray:
    counts = np.zeros((n_units, n_classes))
    np.add.at(counts, (unit, answer), 1.0)
    total = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, counts / total, np.nan)


def _normalise_rows(log_weights: np.ndarray) -> np.ndarray:
    log_weights = log_weights - log_weights.max(axis=1, keepdims=True)
    weights = np.exp(log_weights)
    return weights / weights.sum(axis=1, keepdims=True)


def dawid_skene(matrix: np.ndarray, n_classes: int, max_iter: int = 100, tol: float = 1e-7) -> ReliabilityFit:
    """Dawid-Skene by EM from the vote shares, until the log-likelihood moves by less than `tol`.

    Two annotators who agree with each other and a third who always answers 0: the model learns that the
    third's answer says nothing about the truth (accuracy 0.5, the share of true 0s) and follows the other two.

    >>> m = np.array([[0, 1, 1, 0, 1, 0], [0, 1, 1, 0, 1, 0], [0, 0, 0, 0, 0, 0]], dtype=float)
    >>> fit = dawid_skene(m, 2)
    >>> fit.answers().tolist()
    [0.0, 1.0, 1.0, 0.0, 1.0, 0.0]
    >>> [round(float(r), 2) for r in fit.reliability]
    [1.0, 1.0, 0.5]
    """
    ann, unit, answer = _observations(matrix, n_classes)
    n_ann, n_units = np.shape(matrix)
    answered = np.zeros(n_units, dtype=bool)
    answered[unit] = True
    post = np.nan_to_num(_vote_shares(unit, answer, n_units, n_classes))
    previous = -np.inf
    iterations = 0
    for iterations in range(1, max_iter + 1):
        # M step: class shares and each annotator's confusion rows (truth t -> answer k), from the posteriors
        priors = np.clip(post[answered].mean(axis=0), _TINY, None) if answered.any() else np.full(n_classes, 1 / n_classes)
        confusion = np.zeros((n_ann, n_classes, n_classes))
        np.add.at(confusion, (ann, slice(None), answer), post[unit])
        confusion = np.clip(confusion, _TINY, None)
        confusion /= confusion.sum(axis=2, keepdims=True)
        # E step: each unit's posterior over the truth given every answer it received
        log_post = np.zeros((n_units, n_classes)) + np.log(priors)
        np.add.at(log_post, unit, np.log(confusion[ann, :, answer]))
        shift = log_post.max(axis=1, keepdims=True)
        likelihood = float((np.log(np.exp(log_post - shift).sum(axis=1)) + shift[:, 0])[answered].sum())
        post = _normalise_rows(log_post)
        post[~answered] = 0.0
        if abs(likelihood - previous) < tol:
            break
        previous = likelihood
    posteriors = post.copy()
    posteriors[~answered] = np.nan
    reliability = (confusion[:, np.arange(n_classes), np.arange(n_classes)] * priors).sum(axis=1)
    return ReliabilityFit("dawid-skene", posteriors, reliability, iterations)


def mace(matrix: np.ndarray, n_classes: int, seed: int = 0, restarts: int = 10, max_iter: int = 50,
         competence_prior: tuple[float, float] = (0.5, 0.5), smoothing: float = 0.01) -> ReliabilityFit:
    """MACE by EM with seeded random restarts; the run with the highest likelihood wins.

    Each answer is the truth with the annotator's competence, else a draw from the annotator's spamming
    distribution. The competence estimate is smoothed by a Beta `competence_prior` and the spamming
    distributions by `smoothing`, which keeps an annotator with few answers from reaching 0 or 1.

    >>> m = np.array([[0, 1, 1, 0, 1, 0, 1, 1], [0, 1, 1, 0, 1, 0, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]], dtype=float)
    >>> fit = mace(m, 2)
    >>> fit.answers().tolist()
    [0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0]
    >>> bool(fit.reliability[2] < 0.5 < fit.reliability[0])
    True
    """
    ann, unit, answer = _observations(matrix, n_classes)
    n_ann, n_units = np.shape(matrix)
    answered = np.zeros(n_units, dtype=bool)
    answered[unit] = True
    a_prior, b_prior = competence_prior
    rng = np.random.default_rng(seed)
    best: tuple[float, np.ndarray, np.ndarray, int] | None = None
    for _ in range(max(1, restarts)):
        theta = rng.uniform(0.5, 0.95, n_ann)
        spam = rng.dirichlet(np.ones(n_classes), n_ann)
        iterations, likelihood, post = 0, -np.inf, np.zeros((n_units, n_classes))
        for iterations in range(1, max_iter + 1):
            # E step. p(answer | truth t) = theta [answer == t] + (1 - theta) spam[answer]
            noise = (1 - theta[ann]) * spam[ann, answer]
            per_truth = noise[:, None] + theta[ann, None] * (answer[:, None] == np.arange(n_classes))
            log_post = np.zeros((n_units, n_classes)) - np.log(n_classes)
            np.add.at(log_post, unit, np.log(np.clip(per_truth, _TINY, None)))
            shift = log_post.max(axis=1, keepdims=True)
            new_likelihood = float((np.log(np.exp(log_post - shift).sum(axis=1)) + shift[:, 0])[answered].sum())
            post = _normalise_rows(log_post)
            # the chance that each answer was the truth rather than spam, given the unit's posterior
            knew = post[unit, answer] * theta[ann] / np.clip(theta[ann] + noise, _TINY, None)
            # M step
            knew_sum = np.bincount(ann, weights=knew, minlength=n_ann)
            count = np.bincount(ann, minlength=n_ann)
            theta = (knew_sum + a_prior) / (count + a_prior + b_prior)
            spam = np.full((n_ann, n_classes), smoothing)
            np.add.at(spam, (ann, answer), 1 - knew)
            spam /= spam.sum(axis=1, keepdims=True)
            if abs(new_likelihood - likelihood) < 1e-7:
                likelihood = new_likelihood
                break
            likelihood = new_likelihood
        if best is None or likelihood > best[0] + 1e-9:
            best = (likelihood, post, theta, iterations)
    _, post, theta, iterations = best
    posteriors = post.copy()
    posteriors[~answered] = np.nan
    return ReliabilityFit("mace", posteriors, theta, iterations)


def fit(method: str, matrix: np.ndarray, n_classes: int, seed: int = 0) -> ReliabilityFit:
    """The named model (`dawid-skene` or `mace`) fitted to `matrix`."""
    if method == "dawid-skene":
        return dawid_skene(matrix, n_classes)
    if method == "mace":
        return mace(matrix, n_classes, seed=seed)
    raise ValueError(f"unknown reliability model {method!r} (choose from {', '.join(METHODS)})")


# --- over a taxonomy's annotations --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ModelGold:
    """A reliability model's answers for one taxonomy.

    table: item_id, target, label, value (1 on, 0 off, None on a tie), source (the method), tie — the shape of
           the majority gold, so F1, calibration and the alternative annotator test read it unchanged;
    reliability: annotator -> estimated chance of giving the true answer (for a multi-choice taxonomy the mean
           over labels, weighted by how many answers the annotator gave on each label's units);
    answers: annotator -> how many answers that estimate rests on."""

    method: str
    table: "pd.DataFrame"
    reliability: dict[str, float]
    answers: dict[str, int]


def model_gold(data, method: str, annotators: list[str] | None = None, seed: int = 0) -> ModelGold:
    """Fit `method` to the finished work of `annotators` (everyone by default) on `data` (a `LabelData`).

    Multi-choice: each label is its own yes/no question over its units, as for the majority gold. Single-choice:
    one model over the categories, its answer given as one row per label (1 for the chosen one)."""
    import pandas as pd

    if method not in METHODS:
        raise ValueError(f"unknown reliability model {method!r} (choose from {', '.join(METHODS)})")
    annotators = list(annotators or data.annotators)
    columns = ["item_id", "target", "label", "value", "source", "tie"]
    weighted = np.zeros(len(annotators))
    counts = np.zeros(len(annotators))
    frames = []

    def add(matrix: np.ndarray, units, n_classes: int, labels: list[str]) -> None:
        answered = ~np.isnan(matrix).all(axis=0)
        if not answered.any() or not annotators:
            return
        model = fit(method, matrix[:, answered], n_classes, seed=seed)
        answer = model.answers()
        given = (~np.isnan(matrix[:, answered])).sum(axis=1)
        weighted[:] += model.reliability * given
        counts[:] += given
        kept = units[answered].reset_index(drop=True)
        tie = np.isnan(answer)
        for k, label in enumerate(labels):
            value = np.where(tie, None, (answer == (1 if n_classes == 2 and len(labels) == 1 else k)).astype(int))
            frames.append(pd.DataFrame({"item_id": kept["item_id"].astype(object),
                                        "target": kept["target"].astype(object), "label": label,
                                        "value": pd.Series(value, dtype=object), "source": method, "tie": tie}))

    if data.taxonomy.choice == "single":
        matrix, units, order = data.category_matrix(annotators)
        add(matrix, units, max(2, len(order)), order)
    else:
        for lab in data.taxonomy.labels:
            matrix, units = data.presence_matrix(lab.id, annotators)
            add(matrix, units, 2, [lab.id])
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, weighted / np.maximum(counts, 1), np.nan)
    reliability = {a: float(mean[k]) for k, a in enumerate(annotators) if counts[k] > 0}
    return ModelGold(method, table[columns], reliability, {a: int(counts[k]) for k, a in enumerate(annotators)})


def proposals(data, method: str, annotators: list[str] | None = None, seed: int = 0
              ) -> dict[tuple[str, str], tuple[str, ...] | None]:
    """The model's answer per unit, for a reviewer to weigh beside the majority: the labels it puts on the unit
    in taxonomy order (empty: none applies), or None where it cannot decide (a tie on some label)."""
    table = model_gold(data, method, annotators, seed).table
    order = {lab: k for k, lab in enumerate(data.taxonomy.label_ids)}
    out: dict[tuple[str, str], tuple[str, ...] | None] = {}
    for (item, target), rows in table.groupby(["item_id", "target"], sort=False):
        if rows["tie"].astype(bool).any():
            out[(item, target)] = None
        else:
            on = rows.loc[rows["value"].astype(int) == 1, "label"]
            out[(item, target)] = tuple(sorted(on, key=order.__getitem__))
    return out
