"""The bad-endpoint corpus: every way a judge endpoint was seen to misbehave, run through `annotator judge run`.

Each case must end in plain words on stderr (no traceback), exit 1 (2 for a key the variable cannot hold, a
usage error), never print the API key, leave the project exactly as it was (no metric, no prediction), and end
in bounded time, making at most a handful of requests when the endpoint itself is out of reach.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotator.core import Project
from annotator.core.judge import JudgeClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from judge_server import (  # noqa: E402
    Action,
    JudgeServer,
    dead_endpoint,
    drip,
    echo,
    huge,
    malformed,
    not_a_completion,
    not_http,
    redirect,
    status,
)

SECRET = "sk-corpus-5ecret-4f1c9a7e"
KEY_ENV = "ANNOTATOR_JUDGE_API_KEY"


@dataclass(frozen=True)
class EndpointCase:
    name: str
    action: Action | None  # None: a port nothing listens on
    said: str  # what stderr must say
    down: bool = False  # the endpoint is out of reach: the run stops after five requests
    exit_code: int = 1
    timeout: str = "1"  # the judge's --timeout: each request may take this long in all


CASES = [
    EndpointCase("dead_port", None, "endpoint unreachable (5 requests in a row failed; last: cannot reach", down=True),
    EndpointCase("not_http", not_http(), "does not answer in HTTP", down=True),
    # a byte every 0.1 s: each read gets a byte well within its timeout, so only the request's overall deadline
    # ends it (a short one: the five requests of the run each wait it out)
    EndpointCase("drips_a_byte_at_a_time", drip(0.1), "no complete answer within 0.4 s", down=True, timeout="0.4"),
    EndpointCase("redirects_elsewhere", redirect("http://127.0.0.1:9/steal"), "redirected (302)", down=True),
    EndpointCase("refuses_and_echoes_the_key", echo(401), "Bearer [redacted]", down=True),
    EndpointCase("bad_request_echoing_the_key", echo(400), "Bearer [redacted]"),
    EndpointCase("server_error_echoing_the_key", echo(500), "Bearer [redacted]"),
    EndpointCase("400_mb_announced", huge(400 << 20), "more than the 8,388,608 allowed"),
    EndpointCase("400_mb_streamed", huge(400 << 20, announce=False), "larger than the 8,388,608 bytes allowed"),
    EndpointCase("gateway_page", not_a_completion(), "not a chat completion"),
    EndpointCase("answer_cut_short", malformed(), "no JSON object in the answer"),
    EndpointCase("always_busy", status(503, retry_after="3600"), "HTTP 503"),
]
ITEMS = 6


@pytest.fixture
def no_waiting(monkeypatch):
    """One attempt per vote and no backoff: the corpus is about what a failure ends in, not about retrying."""
    original = JudgeClient.__init__

    def quick(self, *args, **kwargs):
        original(self, *args, **{**kwargs, "max_retries": 0, "sleep": lambda _s: None})

    monkeypatch.setattr(JudgeClient, "__init__", quick)
    monkeypatch.setenv(KEY_ENV, SECRET)


def test_the_corpus_names_each_kind_once():
    assert len({c.name for c in CASES}) == len(CASES) >= 12


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_bad_endpoint_ends_plainly_and_changes_nothing(case: EndpointCase, sample_copy, run_cli, no_waiting):
    with Project.open(sample_copy) as project:
        before = project.info()
    with JudgeServer(default=case.action or Action()) as server:
        url = server.url if case.action is not None else dead_endpoint()
        started = time.monotonic()
        code, out, err = run_cli("judge", "run", sample_copy, "--taxonomy", "rift", "--endpoint", url, "--model",
                                 "tiny", "--votes", "1", "--limit", str(ITEMS), "--timeout", case.timeout)
        elapsed = time.monotonic() - started
        asked = len(server.requests)
    assert code == case.exit_code, err
    assert "Traceback" not in out + err and case.said in err
    assert SECRET not in out + err and SECRET[8:20] not in out + err
    assert f"metric tiny: 0 of {ITEMS} items scored, nothing stored" in out
    if case.down:
        assert "stopped: " in err and asked <= 5
    else:
        assert f"{ITEMS} of {ITEMS} items not scored: {ITEMS} had every vote fail; nothing stored" in err
    assert elapsed < 30, f"{case.name} took {elapsed:.0f} s"
    with Project.open(sample_copy) as project:
        assert project.info() == before and "tiny" not in project.predictions.metrics()


@pytest.mark.parametrize("key", ["sk-line\nX-Injected: 1", "sk-caf\u00e9-123", "sk with space"])
def test_a_key_no_header_can_carry_is_a_usage_error_that_does_not_show_it(key, sample_copy, run_cli, monkeypatch):
    monkeypatch.setenv(KEY_ENV, key)
    with JudgeServer() as server:
        code, out, err = run_cli("judge", "run", sample_copy, "--taxonomy", "rift", "--endpoint", server.url,
                                 "--model", "tiny", "--votes", "1")
        assert server.requests == []
    assert code == 2 and KEY_ENV in err and "Traceback" not in err
    assert key not in out + err and key[:6] not in out + err
    with Project.open(sample_copy) as project:
        assert "tiny" not in project.predictions.metrics()
