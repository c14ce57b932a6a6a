"""Running the judge: votes into scores, failed votes, the cache, resuming a cancelled run, usage, errors."""

from __future__ import annotations

import json

import pytest

from annotator.core.errors import UsageError
from annotator.core.judge import JudgeClient, MemoryCache, build_messages, cache_key, run_judge

try:
    from judge_server import (JudgeServer, answer, fenced, judge_items, judge_taxonomy, malformed,
                              not_a_completion, status)
except ImportError:  # tests/ made a package
    from tests.judge_server import (JudgeServer, answer, fenced, judge_items, judge_taxonomy, malformed,
                                    not_a_completion, status)

TAX = judge_taxonomy()
RUBRIC, TRACE, CAPTION = judge_items()
KEY_ENV = "ANNOTATOR_TEST_JUDGE_KEY"
VAGUE = {"label": "vague", "target": "criterion:c1", "quote": "good"}
GAP = {"label": "gap", "target": "item", "quote": "haiku"}


def _client(url: str, **kw) -> JudgeClient:
    return JudgeClient(url, "tiny-model", api_key_env=KEY_ENV, backoff_base=0.0, sleep=lambda s: None, **kw)


def _scores(result) -> dict[tuple[str, str, str], float]:
    return {(p.item_id, p.target, p.label): p.score for p in result.predictions}


def test_votes_become_shares_and_failed_votes_count_as_no_answer():
    script = [answer([VAGUE, GAP]), answer([VAGUE]), fenced([VAGUE]), answer([]), malformed()]
    with JudgeServer(script) as server:
        result = run_judge([RUBRIC], TAX, _client(server.url), votes=5, metric="tiny", cache=MemoryCache())
    assert _scores(result) == {("r1", "criterion:c1", "vague"): 0.6, ("r1", "item", "gap"): 0.2}
    assert all(p.metric == "tiny" and p.taxonomy == "mini" for p in result.predictions)
    assert result.counts["requests"] == 5 and result.counts["failed_votes"] == 1
    assert [(f.item_id, f.vote, f.whole_vote) for f in result.failures] == [("r1", 4, True)]
    assert list(result.failures_by_item()) == ["r1"]
    assert "no JSON object" in result.failures[0].message
    assert result.scored_items == ["r1"] and result.counts["items_done"] == 1


def test_a_request_that_fails_for_good_is_a_failed_vote():
    with JudgeServer([answer([VAGUE]), status(500)], default=status(503)) as server:
        result = run_judge([RUBRIC], TAX, _client(server.url, max_retries=1), votes=2, cache=MemoryCache())
    assert _scores(result) == {("r1", "criterion:c1", "vague"): 0.5}
    assert result.counts["failed_votes"] == 1 and "HTTP 503" in result.failures[0].message
    with JudgeServer([not_a_completion()]) as server:
        result = run_judge([RUBRIC], TAX, _client(server.url), votes=1, cache=MemoryCache())
    assert result.predictions == [] and result.counts["failed_votes"] == 1


def test_bad_entries_are_reported_without_failing_the_vote():
    with JudgeServer([answer([VAGUE, {"label": "vague", "target": "criterion:c7"}])]) as server:
        result = run_judge([RUBRIC], TAX, _client(server.url), votes=1, cache=MemoryCache())
    assert _scores(result) == {("r1", "criterion:c1", "vague"): 1.0}
    assert result.counts["invalid_entries"] == 1 and result.counts["failed_votes"] == 0
    assert not result.failures[0].whole_vote and "criterion:c7" in result.failures[0].message


def test_second_run_is_served_from_the_cache():
    cache = MemoryCache()
    with JudgeServer(default=answer([VAGUE], usage={"prompt_tokens": 100, "completion_tokens": 10})) as server:
        first = run_judge([RUBRIC, TRACE], TAX, _client(server.url), votes=3, cache=cache)
        made = len(server.requests)
        second = run_judge([RUBRIC, TRACE], TAX, _client(server.url), votes=3, cache=cache)
        assert len(server.requests) == made == 6
    assert second.counts["requests"] == 0 and second.counts["cached"] == 6
    assert second.usage["prompt_tokens"] == 0 and first.usage["prompt_tokens"] == 600
    assert _scores(first) == _scores(second) == {("r1", "criterion:c1", "vague"): 1.0}
    # the vote on the trace named a criterion the trace does not have: reported on every vote
    assert second.counts["invalid_entries"] == 3


def test_cache_key_ignores_the_endpoint_but_not_model_messages_or_vote():
    messages = build_messages(TAX, RUBRIC)
    key = cache_key("tiny-model", messages, 0)
    assert key == cache_key("tiny-model", build_messages(TAX, RUBRIC), 0)
    assert len({key, cache_key("other", messages, 0), cache_key("tiny-model", messages, 1),
                cache_key("tiny-model", build_messages(TAX, TRACE), 0)}) == 4
    cache = MemoryCache()
    with JudgeServer(default=answer([VAGUE])) as a, JudgeServer(default=answer([])) as b:
        run_judge([RUBRIC], TAX, _client(a.url), votes=2, cache=cache)
        mirrored = run_judge([RUBRIC], TAX, _client(b.url), votes=2, cache=cache)
        assert b.requests == []
    assert _scores(mirrored) == {("r1", "criterion:c1", "vague"): 1.0}


def test_unreadable_answers_are_not_cached_so_a_rerun_asks_again():
    cache = MemoryCache()
    with JudgeServer([malformed(), answer([VAGUE])]) as server:
        first = run_judge([RUBRIC], TAX, _client(server.url), votes=1, cache=cache)
        second = run_judge([RUBRIC], TAX, _client(server.url), votes=1, cache=cache)
    assert first.predictions == [] and _scores(second) == {("r1", "criterion:c1", "vague"): 1.0}
    assert len(server.requests) == 2


def test_cancelled_run_resumes_where_it_stopped():
    cache = MemoryCache()
    with JudgeServer(default=answer([GAP])) as server:
        stop_after_four = lambda: len(server.requests) >= 4  # noqa: E731
        first = run_judge([RUBRIC, TRACE], TAX, _client(server.url), votes=3, cache=cache, cancel=stop_after_four)
        assert first.cancelled and first.counts["requests"] == 4 and first.counts["items_done"] == 1
        # the half-judged trace gives no prediction yet
        assert _scores(first) == {("r1", "item", "gap"): 1.0} and first.scored_items == ["r1"]
        second = run_judge([RUBRIC, TRACE], TAX, _client(server.url), votes=3, cache=cache)
        assert len(server.requests) == 6
    assert not second.cancelled and second.counts["cached"] == 4 and second.counts["requests"] == 2
    assert _scores(second) == {("r1", "item", "gap"): 1.0, ("t1", "item", "gap"): 1.0}


def test_progress_and_skipped_kinds():
    seen: list[tuple[int, int]] = []
    with JudgeServer() as server:
        result = run_judge([CAPTION, RUBRIC], TAX, _client(server.url), votes=2, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 2), (2, 2)]
    assert result.counts["skipped_items"] == 1 and result.counts["items"] == 1


def test_usage_is_estimated_when_the_server_reports_none():
    with JudgeServer([answer([])]) as server:
        result = run_judge([RUBRIC], TAX, _client(server.url), votes=1)
    messages = build_messages(TAX, RUBRIC)
    assert result.usage["estimated"] is True
    assert result.usage["prompt_tokens"] == sum(len(m["content"]) for m in messages) // 4
    assert result.usage["completion_tokens"] == len('{"labels": []}') // 4


def test_key_reaches_the_server_but_is_stored_nowhere(monkeypatch):
    monkeypatch.setenv(KEY_ENV, "sk-very-secret")
    cache = MemoryCache()
    with JudgeServer(default=answer([VAGUE])) as server:
        client = _client(server.url)
        result = run_judge([RUBRIC], TAX, client, votes=2, cache=cache)
    assert all(r["headers"]["Authorization"] == "Bearer sk-very-secret" for r in server.requests)
    stored = json.dumps(cache.entries) + repr(result) + repr(vars(client))
    assert "sk-very-secret" not in stored


def test_no_request_without_an_endpoint_or_with_no_votes():
    with JudgeServer() as server:
        with pytest.raises(UsageError):
            run_judge([RUBRIC], TAX, _client(""), votes=1)
        with pytest.raises(UsageError):
            run_judge([RUBRIC], TAX, _client(server.url), votes=0)
        assert server.requests == []
