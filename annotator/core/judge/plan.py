"""What a judge run will ask before it asks: which taxonomies a judge can label in a project, and how many
requests a run would send (items x votes, less the votes already in the cache).

A run costs money and time at someone else's endpoint, so the app shows this count and asks before it starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from ..model import Item
from ..taxonomy import Taxonomy
from .prompt import build_messages
from .runner import JudgeCache, cache_key

# The targets an item of each kind can offer (criteria on rubrics and captions, steps on traces).
_TARGETS = {"rubric": {"item", "criterion"}, "caption": {"item", "criterion"}, "trace": {"item", "step"}}
# The judge reads text only: for these kinds it never sees what the labels are about (the image).
_UNSEEN = {"caption"}


@dataclass(frozen=True)
class JudgePlan:
    """The size of a run: `requests` is what would go out, the rest is answered from the cache."""

    items: int
    votes: int
    cached: int

    @property
    def requests(self) -> int:
        return self.items * self.votes - self.cached

    def line(self) -> str:
        base = f"{self.items:,} items × {self.votes} votes"
        if self.cached:
            return f"{base}: {self.requests:,} requests to send, {self.cached:,} answered from the cache"
        return f"{base}: {self.requests:,} requests to send"


def judgeable(taxonomies: Iterable[Taxonomy], counts_by_kind: Mapping[str, int]) -> list[Taxonomy]:
    """The taxonomies a judge can label on this project's items, the most fitting first.

    A taxonomy qualifies when it applies to a kind the project has items of and one of its labels goes on a
    target those items offer. Taxonomies whose items the judge reads whole (rubrics, traces) come before those
    it reads only in part (captions, whose image it never sees); otherwise the project's order stands, which
    puts RIFT first in a rubric project.
    """
    present = {kind for kind, n in counts_by_kind.items() if n}
    fitting = []
    for tax in taxonomies:
        kinds = present & set(tax.applies_to)
        offered = set().union(*(_TARGETS.get(k, {"item"}) for k in kinds)) if kinds else set()
        if any(lab.target in offered for lab in tax.labels):
            fitting.append(tax)
    return sorted(fitting, key=lambda tax: reads_in_part(tax, counts_by_kind))


def reads_in_part(taxonomy: Taxonomy, counts_by_kind: Mapping[str, int]) -> bool:
    """True when every item of the taxonomy in the project holds something the judge cannot see."""
    kinds = {kind for kind, n in counts_by_kind.items() if n} & set(taxonomy.applies_to)
    return bool(kinds) and kinds <= _UNSEEN


def plan_judge(items: Iterable[Item], taxonomy: Taxonomy, model: str, votes: int,
               cache: JudgeCache | None, limit: int = 0) -> JudgePlan:
    """Count the votes a run over `items` would need and how many the cache already holds.

    The cache is looked up a batch at a time, so a project of many thousand items is counted in seconds.
    """
    count, cached, keys = 0, 0, []
    for item in items:
        if item.kind not in taxonomy.applies_to:
            continue
        if limit and count >= limit:
            break
        count += 1
        if cache is not None and model:
            messages = build_messages(taxonomy, item)
            keys += [cache_key(model, messages, vote) for vote in range(votes)]
            if len(keys) >= 2000:
                cached += len(cache.present(keys))
                keys = []
    if keys and cache is not None:
        cached += len(cache.present(keys))
    return JudgePlan(items=count, votes=votes, cached=cached)
