"""The judge client against a scripted local server: request shape, key handling, retries and failures."""

from __future__ import annotations

import pickle
import shutil
import time
import tracemalloc

import pytest

from annotator.core.errors import UsageError
from annotator.core.judge import JudgeClient, JudgeError

try:
    from judge_server import (JudgeServer, answer, drip, echo, hang, huge, malformed, not_a_completion,
                              self_signed, status)
except ImportError:  # tests/ made a package
    from tests.judge_server import (JudgeServer, answer, drip, echo, hang, huge, malformed, not_a_completion,
                                    self_signed, status)

KEY_ENV = "ANNOTATOR_TEST_JUDGE_KEY"
MESSAGES = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]


def _client(url: str, waits: list[float] | None = None, **kw) -> JudgeClient:
    sleeper = waits.append if waits is not None else (lambda s: None)
    return JudgeClient(url, "tiny-model", api_key_env=KEY_ENV, backoff_base=0.01, sleep=sleeper, **kw)


@pytest.mark.parametrize("endpoint", ["", "   ", "ftp://example.org/v1", "file:///etc/passwd", "localhost:8000/v1",
                                      "http://", "javascript:alert(1)"])
def test_endpoints_that_are_not_http_urls_are_refused(endpoint):
    with pytest.raises(UsageError):
        JudgeClient(endpoint, "m")


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf")])
def test_a_timeout_that_is_not_a_positive_number_of_seconds_is_refused(timeout):
    with pytest.raises(UsageError, match="timeout"):
        JudgeClient("http://127.0.0.1:9/v1", "m", timeout=timeout)


def test_no_model_is_refused():
    with pytest.raises(UsageError):
        JudgeClient("http://127.0.0.1:9/v1", " ")


def test_request_shape_and_key_from_the_environment(monkeypatch):
    monkeypatch.setenv(KEY_ENV, "sk-test-secret")
    with JudgeServer([answer([], usage={"prompt_tokens": 11, "completion_tokens": 3})]) as server:
        client = _client(server.url + "/")
        reply = client.chat(MESSAGES)
    assert reply.content == '{"labels": []}' and reply.usage == {"prompt_tokens": 11, "completion_tokens": 3}
    req = server.requests[0]
    assert req["path"] == "/v1/chat/completions"
    assert req["headers"]["Authorization"] == "Bearer sk-test-secret"
    body = req["body"]
    assert body["model"] == "tiny-model" and body["messages"] == MESSAGES
    assert body["response_format"] == {"type": "json_object"} and "temperature" in body
    # the key lives only in the environment, never on the client
    assert "sk-test-secret" not in repr(vars(client)) and b"sk-test-secret" not in pickle.dumps(
        {k: v for k, v in vars(client).items() if k not in ("_sleep", "_opener")})


def test_key_is_read_at_call_time_and_left_out_when_unset(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    with JudgeServer([answer([]), answer([])]) as server:
        client = _client(server.url)
        client.chat(MESSAGES)
        monkeypatch.setenv(KEY_ENV, "later-key")
        client.chat(MESSAGES)
    assert "Authorization" not in server.requests[0]["headers"]
    assert server.requests[1]["headers"]["Authorization"] == "Bearer later-key"


def test_429_honours_retry_after_then_succeeds():
    waits: list[float] = []
    with JudgeServer([status(429, retry_after="3"), answer([])]) as server:
        reply = _client(server.url, waits).chat(MESSAGES)
    assert reply.content == '{"labels": []}'
    assert waits == [3.0] and len(server.requests) == 2


def test_5xx_backs_off_exponentially_and_gives_up_with_a_clear_error():
    waits: list[float] = []
    with JudgeServer(default=status(500, message="model overloaded")) as server:
        with pytest.raises(JudgeError, match="after 3 attempts.*HTTP 500: model overloaded"):
            _client(server.url, waits, max_retries=2).chat(MESSAGES)
    assert waits == pytest.approx([0.01, 0.02]) and len(server.requests) == 3


def test_a_hang_past_the_timeout_is_retried():
    with JudgeServer([hang(1.5), answer([{"label": "gap"}])]) as server:
        reply = _client(server.url, timeout=0.3).chat(MESSAGES)
    assert "gap" in reply.content and len(server.requests) == 2


def test_timeouts_every_time_end_in_an_error():
    with JudgeServer(default=hang(1.0)) as server:
        with pytest.raises(JudgeError, match="no complete answer within 0.2 s"):
            _client(server.url, timeout=0.2, max_retries=1).chat(MESSAGES)


def test_client_errors_are_not_retried_and_name_the_key_variable():
    with JudgeServer([status(401, message="bad key")]) as server:
        with pytest.raises(JudgeError, match=f"HTTP 401: bad key.*{KEY_ENV}"):
            _client(server.url).chat(MESSAGES)
    assert len(server.requests) == 1


def test_a_body_that_is_not_a_completion_is_an_error():
    with JudgeServer([not_a_completion()]) as server:
        with pytest.raises(JudgeError, match="not a chat completion"):
            _client(server.url).chat(MESSAGES)


def test_malformed_answer_text_is_returned_for_the_runner_to_judge():
    with JudgeServer([malformed()]) as server:
        assert _client(server.url).chat(MESSAGES).content.startswith('{"labels": [')


def test_unreachable_endpoint_fails_at_once():
    with JudgeServer() as server:
        url = server.url
    waits: list[float] = []
    with pytest.raises(JudgeError, match="cannot reach") as caught:
        _client(url, waits).chat(MESSAGES)
    assert waits == [] and caught.value.cause == "unreachable"


@pytest.mark.parametrize("port", ["abc", "99999999"])
def test_an_endpoint_port_that_is_not_a_number_is_a_usage_error(port):
    with pytest.raises(UsageError, match="port"):
        JudgeClient(f"http://127.0.0.1:{port}/v1", "m")


# --- hardening: the key never shows, replies are capped, a request has one deadline ---------------------------
SECRET = "sk-live-0123456789abcdef"


@pytest.mark.parametrize("code", [400, 401, 500])
def test_a_server_that_echoes_the_headers_cannot_make_the_key_print(monkeypatch, code):
    monkeypatch.setenv(KEY_ENV, SECRET)
    with JudgeServer(default=echo(code)) as server:
        with pytest.raises(JudgeError) as caught:
            _client(server.url, max_retries=1).chat(MESSAGES)
    message = str(caught.value)
    assert server.requests[0]["headers"]["Authorization"] == f"Bearer {SECRET}"  # the key did go out
    assert "headers were" in message and "Bearer [redacted]" in message
    assert SECRET not in message and SECRET[:12] not in message


def test_an_echo_in_a_body_that_is_not_a_completion_is_redacted_too(monkeypatch):
    monkeypatch.setenv(KEY_ENV, SECRET)
    with JudgeServer([echo(200)]) as server:
        with pytest.raises(JudgeError, match="not a chat completion") as caught:
            _client(server.url).chat(MESSAGES)
    assert SECRET not in str(caught.value) and "[redacted]" in str(caught.value)


def test_reply_content_that_quotes_the_key_comes_back_redacted(monkeypatch):
    monkeypatch.setenv(KEY_ENV, SECRET)
    with JudgeServer([answer([{"label": "gap", "quote": f"my key is {SECRET} (Bearer {SECRET})"}])]) as server:
        reply = _client(server.url).chat(MESSAGES)
    assert SECRET not in reply.content and reply.content.count("[redacted]") == 2


@pytest.mark.parametrize("bad", ["sk-one\nInjected: header", "sk-caf\u00e9", "sk two"])
def test_a_key_a_header_cannot_carry_is_refused_without_showing_it(monkeypatch, bad):
    monkeypatch.setenv(KEY_ENV, bad)
    with JudgeServer() as server:
        with pytest.raises(UsageError, match=KEY_ENV) as caught:
            _client(server.url).chat(MESSAGES)
        assert server.requests == []
    assert bad not in str(caught.value) and "sk" not in str(caught.value)


def test_a_400_mb_reply_announced_is_refused_before_reading():
    with JudgeServer([huge(400 << 20)]) as server:
        with pytest.raises(JudgeError, match="more than the 8,388,608 allowed") as caught:
            _client(server.url).chat(MESSAGES)
    assert caught.value.cause == "reply" and len(server.requests) == 1  # not retried
    assert server.sent < 100 << 20


def test_a_400_mb_reply_without_a_length_is_cut_at_the_cap_without_filling_memory():
    with JudgeServer([huge(400 << 20, announce=False)]) as server:
        tracemalloc.start()
        try:
            with pytest.raises(JudgeError, match="larger than the 8,388,608 bytes allowed"):
                _client(server.url).chat(MESSAGES)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 40 << 20, f"peak {peak / 2**20:.0f} MB while reading"
    assert server.sent < 200 << 20  # the server was cut off long before its 400 MB


def test_a_cap_below_the_reply_refuses_it_and_one_above_accepts_it():
    with JudgeServer(default=answer([{"label": "gap"}])) as server:
        with pytest.raises(JudgeError, match="larger than|more than"):
            _client(server.url, max_reply=40).chat(MESSAGES)
        assert "gap" in _client(server.url, max_reply=4096).chat(MESSAGES).content


def test_a_server_that_drips_a_byte_a_second_is_cut_off_at_the_deadline():
    with JudgeServer(default=drip(0.1)) as server:  # 0.1 s per byte: below a per-read timeout of 0.5 s
        started = time.monotonic()
        with pytest.raises(JudgeError, match="no complete answer within 0.5 s") as caught:
            _client(server.url, timeout=0.5, max_retries=1).chat(MESSAGES)
        elapsed = time.monotonic() - started
    assert caught.value.cause == "timeout" and len(server.requests) == 2
    # without the deadline the ~170 bytes would take over 15 s; the margin is for a loaded machine
    assert elapsed < 10.0, f"took {elapsed:.1f} s for two attempts of 0.5 s"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_over_https_the_certificate_is_checked_and_the_deadline_holds(tmp_path, monkeypatch):
    tls = self_signed(tmp_path)
    with JudgeServer(default=answer([{"label": "gap"}]), tls=tls) as server:
        assert server.url.startswith("https://")
        with pytest.raises(JudgeError, match="cannot reach.*CERTIFICATE_VERIFY_FAILED") as caught:
            _client(server.url).chat(MESSAGES)  # a certificate nobody vouches for is refused
        assert caught.value.cause == "unreachable"
        monkeypatch.setenv("SSL_CERT_FILE", tls[0])  # now trusted
        assert "gap" in _client(server.url).chat(MESSAGES).content
    with JudgeServer(default=drip(0.1), tls=tls) as server:
        started = time.monotonic()
        with pytest.raises(JudgeError, match="no complete answer within 0.5 s"):
            _client(server.url, timeout=0.5, max_retries=0).chat(MESSAGES)
        assert time.monotonic() - started < 8.0  # not the 15 s and more the whole drip would take
