"""Single-choice results of the alternative annotator test are pinned: the multi-choice rework (DESIGN 10.4)
must leave them byte for byte as they were.

The data are made by a fixed arithmetic rule (no random generator whose stream could change between library
versions); the expected JSON in tests/data/ was written by the code before the rework.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from annotator.core.stats.alt_test import alt_test
from annotator.core.stats.data import LabelData
from annotator.core.taxonomy import LabelDef, Taxonomy

PINNED = Path(__file__).parent / "data" / "alt_test_single_choice.json"
CATEGORIES = ("no", "partly", "yes")


def _pick(seed: int, k: int) -> int:
    """A small deterministic scramble: the same numbers on every machine and library version."""
    return (seed * 1103515245 + 12345) % 2147483648 % k


def single_choice_case() -> LabelData:
    """Four humans and a metric on 45 criteria; humans mostly follow a shared truth, one is careless, and some
    leave items unfinished, so ties, wins and losses all occur."""
    tax = Taxonomy(id="v", name="V", choice="single", scale="ordinal",
                   labels=[LabelDef(id=c, name=c, target="criterion") for c in CATEGORIES])
    items = [f"i{k:02d}" for k in range(45)]
    units = pd.DataFrame({"item_id": items, "target": "criterion:c1", "kind": "criterion"})
    done, labels, preds = [], [], []
    for k, item in enumerate(items):
        truth = _pick(k, 3)
        for a, name in enumerate(("A", "B", "C", "D")):
            if _pick(k * 7 + a, 10) == 0:
                continue  # this human did not finish the item
            done.append((item, name))
            noisy = _pick(k * 13 + a * 5, 10) < (2 if name != "D" else 6)
            labels.append((item, name, "criterion:c1", CATEGORIES[_pick(k + a * 31, 3) if noisy else truth]))
        guess = truth if _pick(k * 11, 10) < 7 else _pick(k * 3 + 1, 3)
        preds.append((item, "m", "criterion:c1", CATEGORIES[guess], 0.8))
        preds.append((item, "m", "criterion:c1", CATEGORIES[(guess + 1) % 3], 0.2))
    return LabelData(
        taxonomy=tax, units=units,
        done=pd.DataFrame(done, columns=["item_id", "annotator"]),
        labels=pd.DataFrame(labels, columns=["item_id", "annotator", "target", "label"]),
        predictions=pd.DataFrame(preds, columns=["item_id", "metric", "target", "label", "score"]),
        scored=pd.DataFrame({"item_id": items, "metric": "m"}))


def _dump(result: dict) -> str:
    return json.dumps(result, indent=1)  # key order too: the command line prints it as is


def test_single_choice_result_is_unchanged() -> None:
    data = single_choice_case()
    got = {"default": alt_test(data, "m"), "loose": alt_test(data, "m", epsilon=0.35, min_items=20)}
    assert _dump(got) == PINNED.read_text(encoding="utf-8")
