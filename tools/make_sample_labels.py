"""Write the sample project's labels CSV and predictions CSV from hand-made "true" labels.

Why a script: the sample project should behave like a real annotation round (three annotators who mostly agree,
disagree on the cases that are genuinely borderline, one of them a little more liberal, one not finished yet), and
the figures the app shows on it should be reproducible. So the true labels below are written by hand, item by
item, after reading the sample items; the script then derives each annotator's labels with seeded noise, and two
automated metrics' predictions on the RIFT taxonomy. Run it again and the two CSV files come out byte for byte
the same (tests/test_sample_data.py checks that).

Notation in the truth tables: a label ending in "?" is borderline, so annotators split on it; a step rating such
as "+/0" means the step can fairly be rated either way (the first is the more likely); a span is given by a quote
from the text, and its character offsets are found here, so they always point at the quoted words.

Usage: python tools/make_sample_labels.py [SAMPLE_DIR]    (default: the repository's sample_data/)
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable

ANNOTATORS = ("alice", "bob", "chen")

RIFT_CRITERION_LABELS = ("subjective", "non_atomic", "ungrounded", "misaligned_or_rigid", "hackable")
RIFT_ITEM_LABELS = ("missing_criteria", "low_signal", "redundant_criteria")


@dataclass(frozen=True)
class Habits:
    """How one annotator departs from the truth. bob is the liberal one: he takes borderline cases and adds a few
    labels nobody else sees; chen is the strictest and the slowest (not done with everything yet)."""

    miss: float           # drops a clear-cut label
    borderline: float     # takes a borderline label
    extra: float          # adds a label to a unit (criterion or rubric) that has none of it
    rating_slip: float    # moves a step rating or a caption verdict one notch
    span_taste: float     # prefers marking the exact words (a span) to labelling the whole step or caption
    start: datetime


HABITS = {
    "alice": Habits(0.08, 0.50, 0.030, 0.05, 0.6, datetime(2025, 3, 3, 9, 5, tzinfo=timezone.utc)),
    "bob": Habits(0.05, 0.80, 0.080, 0.08, 0.2, datetime(2025, 3, 3, 13, 40, tzinfo=timezone.utc)),
    "chen": Habits(0.15, 0.30, 0.025, 0.06, 0.4, datetime(2025, 3, 4, 10, 15, tzinfo=timezone.utc)),
}

# Items chen has not finished, per taxonomy, so the app's progress figures have something to show.
NOT_DONE_BY_CHEN = {
    "rift": {"cw-05", "dr-06", "hb-05"},
    "reasoning_errors": {"tr-alg-03", "tr-prob-02"},
    "step_rating": {"tr-alg-03", "tr-prob-02"},
    "caption_verdict": {"cap-014"},
    "caption_errors": {"cap-014"},
}

# ---------------------------------------------------------------- truth: RIFT on rubrics.jsonl
# Keys are criterion ids, or "item" for the rubric-level labels. Rubrics not listed have no failure mode.

RIFT_TRUTH: dict[str, dict[str, str]] = {
    "if-01": {"c4": "non_atomic?", "c5": "subjective", "c6": "misaligned_or_rigid"},
    "if-02": {"c1": "subjective", "c3": "non_atomic?", "c4": "subjective", "c5": "hackable misaligned_or_rigid",
              "item": "missing_criteria"},
    "if-03": {"c2": "non_atomic", "c3": "subjective", "c4": "misaligned_or_rigid", "c5": "hackable"},
    "if-04": {"c1": "subjective", "c2": "subjective", "c3": "ungrounded?", "item": "redundant_criteria"},
    "if-06": {"c4": "subjective", "c5": "misaligned_or_rigid"},
    "if-07": {"c3": "ungrounded", "c4": "ungrounded", "c5": "misaligned_or_rigid", "item": "redundant_criteria?"},
    "if-08": {"c1": "ungrounded", "c4": "subjective", "c6": "non_atomic?"},
    "code-01": {"c5": "subjective", "c6": "misaligned_or_rigid"},
    "code-02": {"c3": "subjective", "c4": "ungrounded", "c5": "hackable", "c6": "subjective?"},
    "code-03": {"c1": "ungrounded", "c2": "subjective ungrounded?", "c4": "misaligned_or_rigid",
                "c6": "misaligned_or_rigid?"},
    "code-04": {"c5": "subjective"},
    "code-05": {"c1": "non_atomic", "c2": "ungrounded", "c3": "subjective", "c4": "hackable", "c5": "subjective",
                "item": "redundant_criteria missing_criteria?"},
    "code-06": {"c4": "misaligned_or_rigid"},
    "cw-01": {"c1": "subjective", "c2": "subjective", "c3": "non_atomic", "c4": "subjective?", "c5": "subjective",
              "item": "low_signal missing_criteria?"},
    "cw-02": {"c3": "ungrounded?", "c4": "subjective", "c5": "hackable?"},
    "cw-03": {"c1": "subjective", "c2": "subjective", "c4": "subjective", "c5": "hackable misaligned_or_rigid",
              "item": "missing_criteria? low_signal?"},
    "cw-04": {"c2": "ungrounded?", "c4": "subjective", "c5": "subjective?"},
    "cw-05": {"c3": "hackable?", "c4": "hackable", "c5": "subjective", "c6": "subjective", "c7": "subjective",
              "item": "redundant_criteria"},
    "dr-01": {"c1": "ungrounded?", "c4": "subjective", "c5": "hackable", "c6": "ungrounded"},
    "dr-02": {"c3": "non_atomic?", "c4": "subjective", "c5": "misaligned_or_rigid", "c6": "subjective ungrounded?"},
    "dr-03": {"c2": "non_atomic?", "c3": "ungrounded", "c4": "subjective", "c5": "hackable?"},
    "dr-04": {"c3": "non_atomic?", "c4": "subjective", "c5": "subjective", "c6": "hackable",
              "item": "redundant_criteria"},
    "dr-06": {"c6": "subjective?"},
    "dr-05": {"c2": "ungrounded", "c4": "subjective?", "c5": "misaligned_or_rigid?", "c6": "subjective",
              "item": "redundant_criteria?"},
    "hb-01": {"c2": "non_atomic?", "c4": "subjective", "c5": "ungrounded misaligned_or_rigid?", "c6": "subjective"},
    "hb-02": {"c2": "non_atomic?", "c3": "ungrounded", "c6": "subjective"},
    "hb-03": {"c3": "ungrounded non_atomic?", "c5": "subjective", "c6": "subjective?"},
    "hb-04": {"c4": "subjective misaligned_or_rigid", "c5": "hackable misaligned_or_rigid"},
    "hb-05": {"c1": "subjective", "c2": "ungrounded", "c3": "subjective", "c4": "subjective",
              "item": "low_signal missing_criteria"},
}

# Which wrong labels an annotator adds by mistake, most likely first: the plausible confusions.
RIFT_EXTRA_WEIGHTS = {"subjective": 4, "ungrounded": 3, "non_atomic": 2, "misaligned_or_rigid": 2, "hackable": 1}

# ---------------------------------------------------------------- truth: traces.jsonl
# ratings: one token per step. errors: step id -> labels. spans: (step id, quote, label) for the words at fault;
# an annotator marks either the span or the whole step with that label.

TRACE_TRUTH: dict[str, dict] = {
    "tr-qft-01": {"ratings": "+ + + + + +"},
    "tr-qft-02": {"ratings": "+ + + - -", "errors": {"s5": "final_answer?"},
                  "spans": [("s4", "these assignments count only once and no combinatorial factor arises",
                             "conceptual")]},
    "tr-qft-03": {"ratings": "+ + +/0 + +"},
    "tr-qft-04": {"ratings": "+ + + - + -", "errors": {"s6": "calculation?"},
                  "spans": [("s4", "a_p^dagger acting to the left on the vacuum, so it gives no contribution",
                             "conceptual")]},
    "tr-qft-05": {"ratings": "+ + + + + + +"},
    "tr-qft-06": {"ratings": "+ - + + -", "errors": {"s5": "final_answer?"},
                  "spans": [("s2", "V(q) = +g^2/(|q|^2 + m^2)", "calculation")]},
    "tr-mech-01": {"ratings": "+ + + + +"},
    "tr-mech-02": {"ratings": "+ - - - 0", "errors": {"s5": "redundant"},
                   "spans": [("s2", "h = g t^2", "formula_recall")]},
    "tr-em-01": {"ratings": "+ + + +"},
    "tr-em-02": {"ratings": "+ + - - -", "errors": {"s3": "misread_problem?"},
                 "spans": [("s3", "e^{-t/tau} = 0.9", "calculation")]},
    "tr-th-01": {"ratings": "+ + + + +"},
    "tr-th-02": {"ratings": "+ + - -", "errors": {"s3": "conceptual formula_recall?", "s4": "final_answer?"}},
    "tr-sr-01": {"ratings": "+ + + + +/0"},
    "tr-sr-02": {"ratings": "+ - - - -", "errors": {"s4": "conceptual", "s5": "final_answer?"},
                 "spans": [("s2", "(1 - u' v/c^2)", "formula_recall"),
                           ("s4", "A speed above c is allowed here", "unjustified")]},
    "tr-alg-01": {"ratings": "+ + + + + +"},
    "tr-alg-02": {"ratings": "+ - - - -",
                  "spans": [("s2", "sum_{n>=1} n x^{n-1} = 1/(1 - x)", "formula_recall")]},
    "tr-calc-01": {"ratings": "+ + + + +"},
    "tr-calc-02": {"ratings": "- - + + -", "errors": {"s5": "final_answer?"},
                   "spans": [("s1", "sin^2(x) = (1 + cos 2x)/2", "formula_recall")]},
    "tr-comb-01": {"ratings": "+ + + +"},
    "tr-comb-02": {"ratings": "+ - + + -", "errors": {"s2": "calculation?", "s5": "conceptual?"},
                   "spans": [("s2", "from the remaining ranks: 12 ways", "conceptual")]},
    "tr-prob-01": {"ratings": "+ + + + +"},
    "tr-prob-02": {"ratings": "- +/0 - -", "errors": {"s4": "final_answer?"},
                   "spans": [("s1", "we condition on the first die showing a 6", "misread_problem")]},
    "tr-alg-03": {"ratings": "+ + - -", "errors": {"s4": "incomplete final_answer?"},
                  "spans": [("s3", "so theta = 0", "incomplete")]},
}

REASONING_EXTRA = ("calculation", "unjustified", "conceptual")

# ---------------------------------------------------------------- truth: captions.jsonl
# verdicts: one token per criterion (met, partly, not, na; "a/b" = either, a more likely).
# errors: item-level labels; spans: (quote in the caption, label).

CAPTION_TRUTH: dict[str, dict] = {
    "cap-001": {"verdicts": "met met met met na/met"},
    "cap-002": {"verdicts": "not partly met met met/partly",
                "spans": [("Six brightly coloured balloons", "wrong_count")]},
    "cap-003": {"verdicts": "met met met met not",
                "spans": [("at a quiet suburban crossroads on a spring morning", "unverifiable_claim")]},
    "cap-004": {"verdicts": "met met met met met"},
    "cap-005": {"verdicts": "met not not met met",
                "spans": [("The bottom lamp glows green", "wrong_attribute")]},
    "cap-006": {"verdicts": "met met met met not",
                "spans": [("A brick chimney rises from the roof with a curl of grey smoke", "hallucinated_object")]},
    "cap-007": {"verdicts": "not met met met met", "spans": [("EXIT 17", "wrong_text")]},
    "cap-008": {"verdicts": "met not partly/met met met",
                "spans": [("the tall blue mug is on the far right", "wrong_relation")]},
    "cap-009": {"verdicts": "met met met met met"},
    "cap-010": {"verdicts": "met met met met not", "spans": [("classroom", "unverifiable_claim")]},
    "cap-011": {"verdicts": "met met not met met", "errors": "omission"},
    "cap-012": {"verdicts": "met met not not/partly met",
                "spans": [("The line peaks at 8 on Thursday", "wrong_attribute")]},
    "cap-013": {"verdicts": "met met met met met"},
    "cap-014": {"verdicts": "not met met not met",
                "spans": [("two red apples", "wrong_count"),
                          ("A tall glass of water stands to the left of the plate", "hallucinated_object")]},
}

VERDICT_WORDS = {"met": "met", "partly": "partly_met", "not": "not_met", "na": "not_applicable"}
VERDICT_ORDER = ("not_met", "partly_met", "met")

# A few notes, on the first label an annotator gives on that target (none when the annotator gave no label there).
NOTES: dict[tuple[str, str, str, str], str] = {
    ("alice", "rift", "if-01", "criterion:c5"): "Engaging and persuasive, with no anchor or example of either.",
    ("bob", "rift", "if-07", "item"): "c3 and c4 both reward the same population lookup.",
    ("chen", "rift", "code-04", "criterion:c5"): "No anchor for readable. c1/c2 are a prerequisite pair, not "
                                                 "redundancy.",
    ("alice", "rift", "hb-05", "item"): "Nothing about checking for risk of self-harm or suggesting a GP.",
    ("bob", "rift", "cw-03", "criterion:c5"): "An opening paragraph of 250+ words rewards padding.",
    ("chen", "reasoning_errors", "tr-th-02", "step:s3"): "Carnot needs kelvin: 1 - 300/500 = 0.40.",
    ("alice", "reasoning_errors", "tr-comb-02", "step:s2"): "Ordered choice of the two pair ranks counts each "
                                                            "hand twice.",
    ("bob", "step_rating", "tr-mech-02", "step:s5"): "Repeats step 3 without progress.",
    ("alice", "caption_errors", "cap-011", "item"): "The lighthouse is the most prominent object on the right.",
    ("chen", "caption_verdict", "cap-008", "criterion:c3"): "Says tall, not tallest.",
}

# ---------------------------------------------------------------- helpers


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


_STEP_HEADING = re.compile(r"^Step \d+:\s*", re.MULTILINE)


def trace_steps(record: dict) -> list[str]:
    """The steps of a trace record: its `steps`, or its `trace` text cut at "Step N:" headings."""
    if "steps" in record:
        return list(record["steps"])
    parts = _STEP_HEADING.split(record["trace"])
    return [p.strip() for p in parts if p.strip()]


def find_span(text: str, quote: str, where: str) -> tuple[int, int]:
    start = text.find(quote)
    if start < 0 or text.find(quote, start + 1) >= 0:
        raise ValueError(f"{where}: the quote {quote!r} must occur exactly once")
    return start, start + len(quote)


def labels_of(spec: str) -> list[tuple[str, bool]]:
    """'subjective ungrounded?' -> [('subjective', False), ('ungrounded', True)] (True: borderline)."""
    return [(word.rstrip("?"), word.endswith("?")) for word in spec.split()]


def rng_for(*parts: str) -> random.Random:
    # A string seed is hashed with SHA-512 by random.seed, so it does not depend on PYTHONHASHSEED.
    return random.Random("|".join(parts))


def takes(rng: random.Random, habits: Habits, borderline: bool) -> bool:
    return rng.random() < (habits.borderline if borderline else 1.0 - habits.miss)


def pick_rating(rng: random.Random, token: str, habits: Habits, order: tuple[str, ...]) -> str:
    """One ordinal judgement: the likelier reading of an ambiguous token, sometimes slipped one notch."""
    options = token.split("/")
    value = options[0] if len(options) == 1 or rng.random() < 0.6 else options[1]
    if value in order and rng.random() < habits.rating_slip:
        i = order.index(value)
        if i == 0 or (i < len(order) - 1 and rng.random() < 0.5):
            value = order[i + 1]
        else:
            value = order[i - 1]
    return value


# ---------------------------------------------------------------- one annotator's labels per taxonomy

Row = tuple[str, str, str, str]  # item_id, taxonomy, target, label


def rift_rows(rubric: dict, annotator: str) -> list[Row]:
    habits, item_id = HABITS[annotator], rubric["id"]
    rng = rng_for(annotator, item_id, "rift")
    truth = RIFT_TRUTH.get(item_id, {})
    rows: list[Row] = []
    for cid in ["item"] + [c["id"] for c in rubric["criteria"]]:
        target = "item" if cid == "item" else f"criterion:{cid}"
        given = [label for label, borderline in labels_of(truth.get(cid, "")) if takes(rng, habits, borderline)]
        if cid != "item" and rng.random() < habits.extra:
            choices = [x for x in RIFT_EXTRA_WEIGHTS if x not in given]
            given.append(rng.choices(choices, weights=[RIFT_EXTRA_WEIGHTS[x] for x in choices])[0])
        if cid == "item" and rng.random() < habits.extra * 2:
            choices = [x for x in RIFT_ITEM_LABELS if x not in given]
            given.append(rng.choice(choices))
        rows += [(item_id, "rift", target, label) for label in given]
    return rows


def trace_rows(trace: dict, annotator: str) -> tuple[list[Row], list[Row]]:
    habits, item_id = HABITS[annotator], trace["id"]
    truth = TRACE_TRUTH[item_id]
    steps = trace_steps(trace)
    tokens = truth["ratings"].split()
    if len(tokens) != len(steps):
        raise ValueError(f"{item_id}: {len(tokens)} ratings for {len(steps)} steps")

    rng = rng_for(annotator, item_id, "step_rating")
    ratings = [(item_id, "step_rating", f"step:s{i + 1}", pick_rating(rng, tok, habits, ("-1", "0", "+1")))
               for i, tok in enumerate(t.replace("+", "+1").replace("-", "-1") for t in tokens)]

    rng = rng_for(annotator, item_id, "reasoning_errors")
    errors: list[Row] = []
    for sid, quote, label in truth.get("spans", []):
        if "steps" not in trace:
            raise ValueError(f"{item_id}: spans need a trace given as a list of steps")
        if not takes(rng, habits, False):
            continue
        if rng.random() < habits.span_taste:
            start, end = find_span(steps[int(sid[1:]) - 1], quote, item_id)
            errors.append((item_id, "reasoning_errors", f"span:{sid}:{start}-{end}", label))
        else:
            errors.append((item_id, "reasoning_errors", f"step:{sid}", label))
    for sid, spec in truth.get("errors", {}).items():
        errors += [(item_id, "reasoning_errors", f"step:{sid}", label)
                   for label, borderline in labels_of(spec) if takes(rng, habits, borderline)]
    for i in range(len(steps)):
        if rng.random() < habits.extra / 2:
            errors.append((item_id, "reasoning_errors", f"step:s{i + 1}", rng.choice(REASONING_EXTRA)))
    return ratings, errors


def caption_rows(item: dict, annotator: str) -> tuple[list[Row], list[Row]]:
    habits, item_id = HABITS[annotator], item["id"]
    truth = CAPTION_TRUTH[item_id]
    tokens = truth["verdicts"].split()
    if len(tokens) != len(item["criteria"]):
        raise ValueError(f"{item_id}: {len(tokens)} verdicts for {len(item['criteria'])} criteria")
    rng = rng_for(annotator, item_id, "caption_verdict")
    verdicts = []
    for crit, token in zip(item["criteria"], tokens):
        words = "/".join(VERDICT_WORDS[t] for t in token.split("/"))
        verdicts.append((item_id, "caption_verdict", f"criterion:{crit['id']}",
                         pick_rating(rng, words, habits, VERDICT_ORDER)))

    rng = rng_for(annotator, item_id, "caption_errors")
    errors: list[Row] = []
    for quote, label in truth.get("spans", []):
        if not takes(rng, habits, False):
            continue
        if rng.random() < habits.span_taste:
            start, end = find_span(item["caption"], quote, item_id)
            errors.append((item_id, "caption_errors", f"span:caption:{start}-{end}", label))
        else:
            errors.append((item_id, "caption_errors", "item", label))
    errors += [(item_id, "caption_errors", "item", label)
               for label, borderline in labels_of(truth.get("errors", "")) if takes(rng, habits, borderline)]
    return verdicts, errors


# ---------------------------------------------------------------- the two CSV files


def label_rows(sample: Path) -> list[dict[str, str]]:
    rubrics = read_jsonl(sample / "rubrics.jsonl")
    traces = read_jsonl(sample / "traces.jsonl")
    captions = read_jsonl(sample / "captions.jsonl")
    # Rubrics with no failure mode are simply absent from RIFT_TRUTH; traces and captions all need an entry.
    missing = (set(RIFT_TRUTH) - {r["id"] for r in rubrics}) | ({t["id"] for t in traces} ^ set(TRACE_TRUTH)) \
        | ({c["id"] for c in captions} ^ set(CAPTION_TRUTH))
    if missing:
        raise ValueError(f"truth and sample items differ: {sorted(missing)}")

    out: list[dict[str, str]] = []
    for annotator in ANNOTATORS:
        habits = HABITS[annotator]
        clock = habits.start
        tick = rng_for(annotator, "clock")
        per_task: list[tuple[str, str, str, list[Row]]] = []
        for rubric in rubrics:
            per_task.append((rubric["id"], "rubric", "rift", rift_rows(rubric, annotator)))
        for trace in traces:
            ratings, errors = trace_rows(trace, annotator)
            per_task.append((trace["id"], "trace", "reasoning_errors", errors))
            per_task.append((trace["id"], "trace", "step_rating", ratings))
        for caption in captions:
            verdicts, errors = caption_rows(caption, annotator)
            per_task.append((caption["id"], "caption", "caption_verdict", verdicts))
            per_task.append((caption["id"], "caption", "caption_errors", errors))

        for item_id, kind, taxonomy, rows in per_task:
            if annotator == "chen" and item_id in NOT_DONE_BY_CHEN[taxonomy]:
                continue
            clock += timedelta(seconds=tick.randint(40, 240))  # reading the item before the first label
            if not rows:
                rows = [(item_id, taxonomy, "item", "")]
            noted: set[str] = set()
            for _, _, target, label in rows:
                clock += timedelta(seconds=tick.randint(3, 25))
                note = NOTES.get((annotator, taxonomy, item_id, target), "") if label and target not in noted else ""
                noted.add(target)
                out.append({"item_id": item_id, "item_kind": kind, "taxonomy": taxonomy, "annotator": annotator,
                            "target": target, "label": label, "note": note,
                            "created_at": clock.isoformat(timespec="seconds")})
            if tick.random() < 0.08:  # a coffee break
                clock += timedelta(minutes=tick.randint(10, 45))
    return out


KEYWORDS_SUBJECTIVE = re.compile(
    r"\b(clear|engaging|well|good|quality|helpful|interesting|thorough|comprehensive|appropriate|detailed)\b",
    re.IGNORECASE)
KEYWORDS_HACKABLE = re.compile(r"\b(at least \d+|longer than|\d+ words|\d+ lines|the words?)\b", re.IGNORECASE)
KEYWORDS_UNGROUNDED = re.compile(r"\b(accurate|correct)\b", re.IGNORECASE)
KEYWORDS_RIGID = re.compile(r"\b(uses (a|an|grep)|includes (a|unit)|in bold)\b", re.IGNORECASE)


def keyword_baseline(rubric: dict) -> list[tuple[str, str]]:
    """A deliberately naive metric: keyword rules on each criterion's text, and word overlap for redundancy."""
    found: list[tuple[str, str]] = []
    words = []
    for crit in rubric["criteria"]:
        text, target = crit["text"], f"criterion:{crit['id']}"
        if KEYWORDS_SUBJECTIVE.search(text):
            found.append((target, "subjective"))
        if KEYWORDS_HACKABLE.search(text):
            found.append((target, "hackable"))
        if KEYWORDS_UNGROUNDED.search(text):
            found.append((target, "ungrounded"))
        if KEYWORDS_RIGID.search(text):
            found.append((target, "misaligned_or_rigid"))
        if text.count(",") + text.count(" and ") >= 3:
            found.append((target, "non_atomic"))
        words.append(set(re.findall(r"[a-z]+", text.lower())) - {"the", "a", "is", "and", "of", "to"})
    overlaps = [len(a & b) / len(a | b) for i, a in enumerate(words) for b in words[i + 1:] if a | b]
    if overlaps and max(overlaps) >= 0.5:
        found.append(("item", "redundant_criteria"))
    if sum(1 for _, label in found if label == "subjective") >= 0.6 * len(rubric["criteria"]):
        found.append(("item", "low_signal"))
    if not found:
        found.append(("item", "low_signal"))  # nothing fired: the rule reads that as a rubric with no signal
    return found


def prediction_rows(sample: Path) -> list[dict[str, str]]:
    rubrics = read_jsonl(sample / "rubrics.jsonl")
    out: list[dict[str, str]] = []
    for rubric in rubrics:
        rng = rng_for("judge-small", rubric["id"])
        truth = RIFT_TRUTH.get(rubric["id"], {})
        units = [("item", RIFT_ITEM_LABELS)] + [(c["id"], RIFT_CRITERION_LABELS) for c in rubric["criteria"]]
        for cid, labels in units:
            target = "item" if cid == "item" else f"criterion:{cid}"
            true = dict(labels_of(truth.get(cid, "")))
            for label in labels:
                if label in true and not true[label]:
                    score = rng.uniform(0.55, 0.97) if rng.random() < 0.85 else rng.uniform(0.15, 0.49)
                elif label in true:
                    score = rng.uniform(0.30, 0.85)
                else:
                    roll = rng.random()
                    if roll < 0.02:
                        score = rng.uniform(0.50, 0.75)
                    elif roll < 0.20:
                        score = rng.uniform(0.02, 0.45)
                    else:
                        continue
                out.append({"item_id": rubric["id"], "taxonomy": "rift", "metric": "judge-small", "target": target,
                            "label": label, "score": f"{score:.2f}"})
    for rubric in rubrics:
        for target, label in keyword_baseline(rubric):
            out.append({"item_id": rubric["id"], "taxonomy": "rift", "metric": "keyword-baseline", "target": target,
                        "label": label, "score": "1"})
    return out


def to_csv(rows: Iterable[dict[str, str]], columns: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


LABEL_COLUMNS = ["item_id", "item_kind", "taxonomy", "annotator", "target", "label", "note", "created_at"]
PREDICTION_COLUMNS = ["item_id", "taxonomy", "metric", "target", "label", "score"]


def render(sample: Path) -> dict[str, str]:
    """The text of each generated file, by file name."""
    return {"labels.csv": to_csv(label_rows(sample), LABEL_COLUMNS),
            "predictions.csv": to_csv(prediction_rows(sample), PREDICTION_COLUMNS)}


def main(argv: list[str]) -> int:
    sample = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "sample_data"
    for name, text in render(sample).items():
        (sample / name).write_text(text, encoding="utf-8", newline="")
        print(f"wrote {sample / name} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
