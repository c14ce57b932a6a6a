"""Running an LLM judge over items: several votes per item, cached, resumable, turned into predictions.

Every vote is its own request with the same messages; the replies are cached under a key that names the model,
the messages and the vote number (not the endpoint, so a mirror of the same model shares the cache). A rerun
therefore costs nothing, and a cancelled run picks up where it stopped.

A failed vote (no answer, an HTTP error, an unreadable answer) is not an answer (DESIGN 10.4): a label's score
on a unit is the share of the item's successful votes that gave it, and an item whose every vote failed is not
scored at all, so a dead endpoint cannot pass for a judge that found nothing. Five failures in a row that say
the endpoint cannot answer (no connection, no answer in time, every request refused) stop the run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Protocol

from ..errors import UsageError
from ..model import Item, Prediction
from ..taxonomy import Taxonomy
from .client import ChatReply, JudgeClient, JudgeError
from .prompt import build_messages
from .schema import AnswerError, parse_answer

if TYPE_CHECKING:
    from ..store import Project

CHARS_PER_TOKEN = 4
STOP_AFTER = 5  # failures in a row that say the endpoint cannot answer, before the run gives up
_ENDPOINT_DOWN = {"unreachable": "endpoint unreachable", "timeout": "endpoint unreachable",
                  "refused": "the endpoint refuses the requests"}


class JudgeCache(Protocol):
    """Where raw replies are kept between runs (the project implements it; `MemoryCache` for tests)."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, response: str) -> None: ...

    def present(self, keys: Iterable[str]) -> set[str]:
        """Which of `keys` hold a reply (one query for many, to count a run's requests before it starts)."""
        ...


class MemoryCache:
    """A JudgeCache in a dict, for tests and one-off runs."""

    def __init__(self) -> None:
        self.entries: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.entries.get(key)

    def put(self, key: str, response: str) -> None:
        self.entries[key] = response

    def present(self, keys: Iterable[str]) -> set[str]:
        return {k for k in keys if k in self.entries}


def cache_key(model: str, messages: list[dict[str, str]], vote: int) -> str:
    """sha256 over the model, the messages and the vote number, in a canonical JSON form."""
    payload = json.dumps({"model": model, "messages": messages, "vote": vote}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class VoteFailure:
    """A vote that gave no answer (request failed or reply unreadable), or entries of a vote that were dropped."""

    item_id: str
    vote: int
    message: str
    whole_vote: bool = True


@dataclass
class JudgeResult:
    """What a run produced. `predictions` covers only items whose every vote was asked for and at least one
    answered (a cancelled or stopped run leaves the rest for the next run, which finds the finished votes in the
    cache). `failed_items` had every vote fail; `stopped` says why the run ended early, if it did."""

    metric: str
    taxonomy: str
    model: str
    votes: int
    predictions: list[Prediction] = field(default_factory=list)
    failures: list[VoteFailure] = field(default_factory=list)
    usage: dict[str, int | bool] = field(default_factory=lambda: {"prompt_tokens": 0, "completion_tokens": 0,
                                                                  "estimated": False})
    counts: dict[str, int | bool] = field(default_factory=dict)
    scored_items: list[str] = field(default_factory=list)
    failed_items: list[str] = field(default_factory=list)
    stopped: str | None = None

    @property
    def cancelled(self) -> bool:
        return bool(self.counts.get("cancelled"))

    @property
    def unscored(self) -> int:
        """Items the taxonomy applies to that got no score in this run, whatever the reason."""
        return int(self.counts.get("items", 0)) - len(self.scored_items)

    def unscored_line(self) -> str:
        """How many items are left without a score, and why; empty when every item was scored."""
        if not self.unscored:
            return ""
        reasons = []
        if self.failed_items:
            reasons.append(f"{len(self.failed_items)} had every vote fail")
        rest = self.unscored - len(self.failed_items)
        if rest:
            reasons.append(f"{rest} were not judged")
        nothing = "; nothing stored" if not self.scored_items else ""
        why = (f". The run stopped: {self.stopped}" if self.stopped
               else ". The run was cancelled" if self.cancelled else "")
        return (f"{self.unscored} of {self.counts.get('items', 0)} items not scored: {', '.join(reasons)}{nothing}"
                f"{why}")

    def summary(self, stored: int) -> str:
        """One line for the user: what was scored and stored, what it cost."""
        c, u = self.counts, self.usage
        scored = len(self.scored_items)
        what = f"{scored} items scored" if not self.unscored else f"{scored} of {c.get('items', 0)} items scored"
        kept = f"{stored} predictions stored" if scored else "nothing stored"
        return (f"metric {self.metric}: {what}, {kept}; {c.get('requests', 0)} requests, "
                f"{c.get('cached', 0)} votes from the cache, {c.get('failed_votes', 0)} failed votes; tokens "
                f"{'about ' if u.get('estimated') else ''}{u.get('prompt_tokens', 0)} in, "
                f"{u.get('completion_tokens', 0)} out")

    def failure_lines(self, limit: int = 100) -> list[str]:
        """`item: vote N: what went wrong`, item by item, at most `limit` lines and a count of the rest."""
        lines = [f"{item_id}: vote {f.vote + 1}: {f.message}"
                 for item_id, found in sorted(self.failures_by_item().items()) for f in found]
        if len(lines) > limit:
            lines = lines[:limit] + [f"... and {len(lines) - limit} more"]
        return lines

    def failures_by_item(self) -> dict[str, list[VoteFailure]]:
        """The failures grouped by item, in the order they happened, for a per-item report."""
        grouped: dict[str, list[VoteFailure]] = {}
        for failure in self.failures:
            grouped.setdefault(failure.item_id, []).append(failure)
        return grouped


def _encode(reply: ChatReply) -> str:
    return json.dumps({"content": reply.content, "usage": reply.usage})


def _decode(text: str) -> ChatReply:
    data = json.loads(text)
    return ChatReply(content=data["content"], usage=data.get("usage"))


def _add_usage(result: JudgeResult, messages: list[dict[str, str]], reply: ChatReply) -> None:
    if reply.usage is not None:
        result.usage["prompt_tokens"] += reply.usage["prompt_tokens"]
        result.usage["completion_tokens"] += reply.usage["completion_tokens"]
        return
    result.usage["estimated"] = True
    result.usage["prompt_tokens"] += sum(len(m["content"]) for m in messages) // CHARS_PER_TOKEN
    result.usage["completion_tokens"] += len(reply.content) // CHARS_PER_TOKEN


def run_judge(items: Iterable[Item], taxonomy: Taxonomy, client: JudgeClient, votes: int = 5,
              metric: str = "judge", cache: JudgeCache | None = None,
              progress: Callable[[int, int], None] | None = None,
              cancel: Callable[[], bool] | None = None) -> JudgeResult:
    """Ask the judge `votes` times about each item the taxonomy applies to.

    `progress(done, total)` is called after each vote; `cancel()` is asked before each request and stops the
    run when it says yes. Items of a kind the taxonomy does not apply to are skipped and counted. Token usage
    counts only the requests made in this run: from the server's `usage`, else estimated at four characters
    per token (`usage["estimated"]` says so).
    """
    if votes < 1:
        raise UsageError(f"votes must be at least 1, not {votes}")
    cache = cache if cache is not None else MemoryCache()
    given = list(items)
    chosen = [it for it in given if it.kind in taxonomy.applies_to]
    result = JudgeResult(metric=metric, taxonomy=taxonomy.id, model=client.model, votes=votes)
    counts = {"items": len(chosen), "skipped_items": len(given) - len(chosen), "requests": 0, "cached": 0,
              "failed_votes": 0, "invalid_entries": 0, "items_done": 0, "cancelled": False}
    result.counts = counts
    total, done = len(chosen) * votes, 0
    down: list[JudgeError] = []  # the failures in a row that say the endpoint cannot answer
    for item in chosen:
        messages = build_messages(taxonomy, item)
        tally: dict[tuple[str, str], int] = {}
        answered = 0
        finished = True
        for vote in range(votes):
            if len(down) >= STOP_AFTER:
                result.stopped = (f"{_ENDPOINT_DOWN[down[-1].cause]} ({STOP_AFTER} requests in a row failed; "
                                  f"last: {down[-1]})")
                finished = False
                break
            key = cache_key(client.model, messages, vote)
            stored = cache.get(key)
            reply: ChatReply | None = None
            if stored is not None:
                reply = _decode(stored)
                counts["cached"] += 1
            else:
                if cancel is not None and cancel():
                    finished = False
                    counts["cancelled"] = True
                    break
                counts["requests"] += 1
                try:
                    reply = client.chat(messages)
                except JudgeError as exc:
                    result.failures.append(VoteFailure(item.id, vote, str(exc)))
                    counts["failed_votes"] += 1
                    down = down + [exc] if exc.cause in _ENDPOINT_DOWN else []
                else:
                    down = []
                    _add_usage(result, messages, reply)
            if reply is not None:
                try:
                    parsed = parse_answer(reply.content, taxonomy, item)
                except AnswerError as exc:
                    result.failures.append(VoteFailure(item.id, vote, str(exc)))
                    counts["failed_votes"] += 1
                else:
                    if stored is None:
                        cache.put(key, _encode(reply))  # only readable answers: a bad one is asked again
                    answered += 1
                    for message in parsed.errors:
                        result.failures.append(VoteFailure(item.id, vote, message, whole_vote=False))
                    counts["invalid_entries"] += len(parsed.errors)
                    for pair in parsed.given:
                        tally[pair] = tally.get(pair, 0) + 1
            done += 1
            if progress is not None:
                progress(done, total)
        if not finished:
            break
        counts["items_done"] += 1
        if not answered:
            result.failed_items.append(item.id)
            continue
        result.scored_items.append(item.id)
        for (target, label), n in sorted(tally.items()):
            result.predictions.append(Prediction(item_id=item.id, taxonomy=taxonomy.id, metric=metric,
                                                 target=target, label=label, score=n / answered))
    return result


def store_result(project: "Project", result: JudgeResult) -> int:
    """Store a run's predictions; a run that scored nothing stores nothing, not even the metric's name, so a
    dead endpoint cannot leave a metric behind that shows F1 0 everywhere. Returns the rows stored."""
    if not result.scored_items:
        return 0
    return project.predictions.store(result.taxonomy, result.metric, result.scored_items, result.predictions)
