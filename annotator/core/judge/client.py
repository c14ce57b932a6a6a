"""A minimal client for OpenAI-compatible chat completion endpoints, on the standard library alone.

Judging a project means hundreds of requests to a rate-limited service, so transient failures (429, 5xx,
timeouts, dropped connections) are retried with exponential backoff, honouring the server's Retry-After. The
API key is read from an environment variable at the moment of each request and never kept on the object, so
it cannot end up in a project file, a log line or a pickled object.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

from ..errors import AnnotatorError, UsageError

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
MAX_WAIT = 120.0


class JudgeError(AnnotatorError):
    """A request to the judge failed for good (after retries, or at once for errors that retrying cannot fix)."""


@dataclass(frozen=True)
class ChatReply:
    """The text of the first choice and the token usage the server reported (None when it reported none)."""

    content: str
    usage: dict[str, int] | None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would resend the Authorization header to wherever it points; refuse instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[override]
        raise JudgeError(f"the endpoint redirected ({code}) to {newurl}; give the final URL instead")


def check_endpoint(endpoint: str) -> str:
    """The endpoint without trailing slashes; UsageError unless it is an http(s) URL with a host."""
    if not endpoint or not endpoint.strip():
        raise UsageError("no judge endpoint given (an http(s) URL of an OpenAI-compatible API, e.g. .../v1)")
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"judge endpoint {endpoint!r} is not an http(s) URL")
    return endpoint.strip().rstrip("/")


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class JudgeClient:
    """Posts chat requests to `endpoint + '/chat/completions'`.

    `backoff_base` seconds doubles on each retry (capped at two minutes), unless the server's Retry-After asks
    for a particular wait. `sleep` is injectable so tests need not wait. The temperature is above zero by
    default because votes are meant to differ: at zero every vote would repeat the first.
    """

    def __init__(self, endpoint: str, model: str, api_key_env: str = "ANNOTATOR_JUDGE_API_KEY",
                 timeout: float = 60, max_retries: int = 4, temperature: float = 0.7,
                 backoff_base: float = 1.0, sleep: Callable[[float], None] = time.sleep):
        self.endpoint = check_endpoint(endpoint)
        if not model or not model.strip():
            raise UsageError("no judge model named")
        if max_retries < 0:
            raise UsageError("max_retries cannot be negative")
        self.model = model.strip()
        self.api_key_env = api_key_env
        self.timeout = timeout
        self.max_retries = max_retries
        self.temperature = temperature
        self.backoff_base = backoff_base
        self._sleep = sleep
        self._opener = urllib.request.build_opener(_NoRedirect)

    @property
    def url(self) -> str:
        return self.endpoint + "/chat/completions"

    def _request(self, messages: list[dict[str, str]]) -> urllib.request.Request:
        body = {"model": self.model, "messages": messages, "temperature": self.temperature,
                "response_format": {"type": "json_object"}}
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        key = os.environ.get(self.api_key_env, "") if self.api_key_env else ""
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return urllib.request.Request(self.url, data=json.dumps(body).encode("utf-8"), headers=headers,
                                      method="POST")

    def _wait(self, attempt: int, retry_after: float | None) -> None:
        wait = self.backoff_base * (2 ** attempt)
        if retry_after is not None:
            wait = retry_after
        self._sleep(min(MAX_WAIT, wait))

    def chat(self, messages: list[dict[str, str]]) -> ChatReply:
        """One completion; JudgeError when it fails for good."""
        last = ""
        for attempt in range(self.max_retries + 1):
            retry_after: float | None = None
            try:
                with self._opener.open(self._request(messages), timeout=self.timeout) as resp:
                    raw = resp.read()
                return _read_reply(raw)
            except urllib.error.HTTPError as exc:
                detail = _error_detail(exc)
                if exc.code not in RETRY_STATUS:
                    hint = " (check the API key variable " + self.api_key_env + ")" if exc.code in (401, 403) else ""
                    raise JudgeError(f"judge endpoint answered HTTP {exc.code}: {detail}{hint}") from None
                last = f"HTTP {exc.code}: {detail}"
                retry_after = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
            except (TimeoutError, socket.timeout):
                last = f"no answer within {self.timeout} s"
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                    last = f"no answer within {self.timeout} s"
                elif isinstance(exc.reason, ConnectionResetError):
                    last = f"connection dropped: {exc.reason}"
                else:
                    raise JudgeError(f"cannot reach the judge endpoint {self.endpoint}: {exc.reason}") from None
            except (http.client.RemoteDisconnected, ConnectionResetError, http.client.IncompleteRead) as exc:
                last = f"connection dropped: {exc}"
            if attempt < self.max_retries:
                self._wait(attempt, retry_after)
        raise JudgeError(f"judge request failed after {self.max_retries + 1} attempts; last: {last}")


def _error_detail(exc: urllib.error.HTTPError) -> str:
    try:
        text = exc.read().decode("utf-8", "replace")
    except OSError:
        text = ""
    try:
        message = json.loads(text)["error"]["message"]
        return str(message)[:300]
    except (ValueError, KeyError, TypeError):
        return (text.strip() or exc.reason or "")[:300]


def _read_reply(raw: bytes) -> ChatReply:
    """The first choice's content and the usage, from an OpenAI-style completion body."""
    try:
        body: Any = json.loads(raw.decode("utf-8"))
        content = body["choices"][0]["message"]["content"]
    except (UnicodeDecodeError, ValueError, KeyError, IndexError, TypeError):
        raise JudgeError(f"the judge endpoint's reply is not a chat completion: {raw[:200]!r}") from None
    if not isinstance(content, str):
        raise JudgeError("the judge's reply has no text content")
    usage = body.get("usage") if isinstance(body, dict) else None
    tokens = None
    if isinstance(usage, dict) and isinstance(usage.get("prompt_tokens"), int):
        tokens = {"prompt_tokens": int(usage["prompt_tokens"]),
                  "completion_tokens": int(usage.get("completion_tokens") or 0)}
    return ChatReply(content=content, usage=tokens)
