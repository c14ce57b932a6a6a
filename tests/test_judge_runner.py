"""Running the judge: votes into scores, failed votes, the cache, resuming a cancelled run, usage, errors."""

from __future__ import annotations

import json

import pytest

from annotator.core.errors import UsageError
from annotator.core.judge import (STOP_AFTER, JudgeClient, MemoryCache, build_messages, cache_key, plan_judge,
                                  run_judge)
from annotator.core.model import Item

try:
    from backends import store_backend  # noqa: F401 (a fixture)
except ImportError:  # tests/ made a package
    from tests.backends import store_backend  # noqa: F401

try:
    from judge_server import (JudgeServer, answer, dead_endpoint, fenced, hang, judge_items, judge_taxonomy,
                              malformed, not_a_completion, status)
except ImportError:  # tests/ made a package
    from tests.judge_server import (JudgeServer, answer, dead_endpoint, fenced, hang, judge_items, judge_taxonomy,
                                    malformed, not_a_completion, status)

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
    # four votes answered: the shares are over those four, the unreadable fifth is no vote at all
    assert _scores(result) == {("r1", "criterion:c1", "vague"): 0.75, ("r1", "item", "gap"): 0.25}
    assert all(p.metric == "tiny" and p.taxonomy == "mini" for p in result.predictions)
    assert result.counts["requests"] == 5 and result.counts["failed_votes"] == 1
    assert [(f.item_id, f.vote, f.whole_vote) for f in result.failures] == [("r1", 4, True)]
    assert list(result.failures_by_item()) == ["r1"]
    assert "no JSON object" in result.failures[0].message
    assert result.scored_items == ["r1"] and result.counts["items_done"] == 1


def test_a_request_that_fails_for_good_is_a_failed_vote():
    with JudgeServer([answer([VAGUE]), status(500)], default=status(503)) as server:
        result = run_judge([RUBRIC], TAX, _client(server.url, max_retries=1), votes=2, cache=MemoryCache())
    assert _scores(result) == {("r1", "criterion:c1", "vague"): 1.0}  # one vote of one answered
    assert result.counts["failed_votes"] == 1 and "HTTP 503" in result.failures[0].message
    assert result.scored_items == ["r1"] and result.unscored == 0 and result.unscored_line() == ""
    with JudgeServer([not_a_completion()]) as server:
        result = run_judge([RUBRIC], TAX, _client(server.url), votes=1, cache=MemoryCache())
    assert result.predictions == [] and result.counts["failed_votes"] == 1
    assert result.scored_items == [] and result.failed_items == ["r1"]
    assert result.unscored_line() == "1 of 1 items not scored: 1 had every vote fail; nothing stored"


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


# --- DESIGN 10.4: failed votes, unscored items, a dead endpoint ------------------------------------------------
def _rubrics(n: int) -> list[Item]:
    return [RUBRIC.model_copy(update={"id": f"r{i}"}) for i in range(1, n + 1)]


def test_a_dead_endpoint_stops_after_five_failures_and_scores_nothing():
    url = dead_endpoint()
    seen: list[tuple[int, int]] = []
    result = run_judge(_rubrics(29), TAX, _client(url), votes=5, metric="dead", progress=lambda d, t: seen.append((d, t)))
    assert result.counts["requests"] == STOP_AFTER == 5 and result.counts["failed_votes"] == 5
    assert result.stopped.startswith("endpoint unreachable (5 requests in a row failed; last: cannot reach")
    assert result.scored_items == [] and result.predictions == [] and result.failed_items == ["r1"]
    assert result.unscored == 29
    assert result.unscored_line() == ("29 of 29 items not scored: 1 had every vote fail, 28 were not judged; nothing "
                                      f"stored. The run stopped: {result.stopped}")
    assert seen[-1] == (5, 145)


def test_the_count_of_failures_in_a_row_is_reset_by_any_answer():
    # 4 dead-ish answers (HTTP 404 refusals), then one answer, then 4 more: never 5 in a row
    script = [status(404)] * 4 + [answer([GAP])] + [status(404)] * 4 + [answer([GAP])]
    with JudgeServer(script) as server:
        result = run_judge(_rubrics(5), TAX, _client(server.url), votes=2, cache=MemoryCache())
    assert result.stopped is None and len(server.requests) == 10
    assert result.scored_items == ["r3", "r5"] and result.failed_items == ["r1", "r2", "r4"]
    assert _scores(result) == {("r3", "item", "gap"): 1.0, ("r5", "item", "gap"): 1.0}


def test_server_errors_are_failed_votes_but_do_not_stop_the_run():
    with JudgeServer(default=status(500)) as server:
        result = run_judge(_rubrics(4), TAX, _client(server.url, max_retries=0), votes=2, cache=MemoryCache())
    assert result.stopped is None and len(server.requests) == 8
    assert result.failed_items == ["r1", "r2", "r3", "r4"] and result.scored_items == []


def test_refusals_and_timeouts_in_a_row_stop_the_run():
    with JudgeServer(default=status(401, message="invalid key")) as server:
        result = run_judge(_rubrics(10), TAX, _client(server.url), votes=3, cache=MemoryCache())
    assert len(server.requests) == 5 and result.stopped.startswith("the endpoint refuses the requests")
    assert "HTTP 401: invalid key" in result.stopped
    with JudgeServer(default=hang(2.0)) as server:
        result = run_judge(_rubrics(10), TAX, _client(server.url, timeout=0.2, max_retries=0), votes=1)
    assert len(server.requests) == 5 and result.stopped.startswith("endpoint unreachable")
    assert "no complete answer within 0.2 s" in result.stopped and result.failed_items == [f"r{i}" for i in range(1, 6)]


def test_an_item_cut_short_by_the_stop_is_left_for_the_next_run():
    cache = MemoryCache()
    script = [answer([GAP])] + [status(404)] * 5
    with JudgeServer(script, default=answer([GAP])) as server:
        first = run_judge(_rubrics(3), TAX, _client(server.url), votes=4, cache=cache)
        # r1: one answer then three refusals (scored on its one answer); r2: two more refusals, then the stop
        assert first.stopped and first.scored_items == ["r1"] and first.failed_items == []
        assert _scores(first) == {("r1", "item", "gap"): 1.0}
        assert first.unscored_line().startswith("2 of 3 items not scored: 2 were not judged. The run stopped: the "
                                                "endpoint refuses")
        second = run_judge(_rubrics(3), TAX, _client(server.url), votes=4, cache=cache)
    # only r1's answered vote is cached: every failed vote is asked again
    assert second.counts["cached"] == 1 and second.counts["requests"] == 11 and second.unscored == 0


def test_the_plan_counts_requests_less_the_cached_votes():
    cache = MemoryCache()
    items = [CAPTION, *_rubrics(3), TRACE]
    plan = plan_judge(items, TAX, "tiny-model", 3, cache)
    assert (plan.items, plan.requests, plan.cached) == (4, 12, 0)
    assert plan.line() == "4 items × 3 votes: 12 requests to send"
    with JudgeServer(default=answer([GAP])) as server:
        run_judge(items[:3], TAX, _client(server.url), votes=3, cache=cache)
    plan = plan_judge(items, TAX, "tiny-model", 3, cache)
    assert (plan.requests, plan.cached) == (6, 6)
    assert plan.line() == "4 items × 3 votes: 6 requests to send, 6 answered from the cache"
    assert plan_judge(items, TAX, "other-model", 3, cache).cached == 0  # the cache is per model
    assert plan_judge(items, TAX, "tiny-model", 3, cache, limit=1).requests == 0


# --- against a project, on each backend ------------------------------------------------------------------------
def test_a_run_on_a_project_stores_only_what_was_scored_and_the_plan_reads_its_cache(store_backend):
    from annotator.core.judge import store_result
    from annotator.core.store import Project
    from annotator.core.store.items import ItemStore

    items = _rubrics(3)
    with Project.create(store_backend) as project:
        project.taxonomies.add(TAX)
        project.db.write(lambda conn: ItemStore.insert_batch(conn, items, 1, {}))
        dead = run_judge(items, TAX, _client(dead_endpoint()), votes=2, metric="dead", cache=project.judge_cache)
        assert store_result(project, dead) == 0 and dead.unscored == 3
        assert project.predictions.metrics() == [] and project.annotators(kind="metric") == []
        with JudgeServer([status(400)] * 2, default=answer([GAP])) as server:
            live = run_judge(items, TAX, _client(server.url), votes=2, metric="live", cache=project.judge_cache)
        assert store_result(project, live) == 2 and live.failed_items == ["r1"]
        assert project.predictions.metrics("mini") == ["live"] and project.predictions.for_item("r1", "mini", "live") == []
        plan = plan_judge(project.items.iter_all(), TAX, "tiny-model", 2, project.judge_cache)
        assert (plan.items, plan.cached, plan.requests) == (3, 4, 2)
