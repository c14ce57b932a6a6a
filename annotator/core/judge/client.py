"""A minimal client for OpenAI-compatible chat completion endpoints, on the standard library alone.

Judging a project means hundreds of requests to a rate-limited service, so transient failures (429, 5xx,
timeouts, dropped connections) are retried with exponential backoff, honouring the server's Retry-After. The
API key is read from an environment variable at the moment of each request and never kept on the object, so
it cannot end up in a project file or a pickled object; and every text the client hands back (error messages,
reply content) has the key blanked out, so a server that echoes request headers cannot make it print. Each
attempt has one overall deadline and a reply is capped at 8 MB (see `transport`).
"""

from __future__ import annotations

import email.utils
import http.client
import json
import math
import os
import re
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import quote, urlsplit

from ..errors import AnnotatorError, UsageError
from .transport import MAX_ERROR_BODY, MAX_REPLY, Deadline, ReplyTooLarge, opener_for, read_capped

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
REFUSED_STATUS = {401, 403, 404}
MAX_WAIT = 120.0
REDACTED = "[redacted]"
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+")


class JudgeError(AnnotatorError):
    """A request to the judge failed for good (after retries, or at once for errors that retrying cannot fix).

    `cause` tells a run whether the endpoint itself is out of reach: "unreachable" (no connection, a dropped
    one, an answer that is not HTTP), "timeout" (no whole answer before the deadline), "refused" (401, 403, 404
    or a redirect: every request would get the same), "http" (another HTTP error), "reply" (an answer that is
    not a usable completion, or too large).
    """

    def __init__(self, message: str, cause: str = "http"):
        super().__init__(message)
        self.cause = cause


@dataclass(frozen=True)
class ChatReply:
    """The text of the first choice and the token usage the server reported (None when it reported none)."""

    content: str
    usage: dict[str, int] | None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would resend the Authorization header to wherever it points; refuse instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[override]
        raise JudgeError(f"the endpoint redirected ({code}) to {newurl}; give the final URL instead", "refused")


def check_endpoint(endpoint: str) -> str:
    """The endpoint without trailing slashes; UsageError unless it is an http(s) URL with a host."""
    if not endpoint or not endpoint.strip():
        raise UsageError("no judge endpoint given (an http(s) URL of an OpenAI-compatible API, e.g. .../v1)")
    parts = urlsplit(endpoint.strip())
    try:
        parts.port  # noqa: B018 - a port that is not a number raises here, not deep inside http.client
    except ValueError:
        raise UsageError(f"judge endpoint {endpoint!r} has a port that is not a number") from None
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

    `timeout` is the whole time one attempt may take (connecting, waiting, reading); `max_reply` caps a reply in
    bytes. `backoff_base` seconds doubles on each retry (capped at two minutes), unless the server's Retry-After
    asks for a particular wait. `sleep` is injectable so tests need not wait. The temperature is above zero by
    default because votes are meant to differ: at zero every vote would repeat the first.
    """

    def __init__(self, endpoint: str, model: str, api_key_env: str = "ANNOTATOR_JUDGE_API_KEY",
                 timeout: float = 60, max_retries: int = 4, temperature: float = 0.7,
                 backoff_base: float = 1.0, sleep: Callable[[float], None] = time.sleep,
                 max_reply: int = MAX_REPLY):
        self.endpoint = check_endpoint(endpoint)
        if not model or not model.strip():
            raise UsageError("no judge model named")
        if max_retries < 0:
            raise UsageError("max_retries cannot be negative")
        if not (timeout > 0 and math.isfinite(timeout)):
            raise UsageError(f"the judge timeout must be a positive number of seconds, not {timeout}")
        self.model = model.strip()
        self.api_key_env = api_key_env
        self.timeout = timeout
        self.max_retries = max_retries
        self.temperature = temperature
        self.backoff_base = backoff_base
        self.max_reply = max_reply
        self._sleep = sleep

    @property
    def url(self) -> str:
        return self.endpoint + "/chat/completions"

    def _raw_key(self) -> str:
        return (os.environ.get(self.api_key_env, "") if self.api_key_env else "").strip()

    def _key(self) -> str:
        key = self._raw_key()
        if key and not _HEADER_SAFE.fullmatch(key):
            raise UsageError(f"the API key in {self.api_key_env} holds characters a header cannot carry (a line "
                             "break, a space or a non-ASCII character); check the variable")
        return key

    def redact(self, text: str) -> str:
        """`text` with the API key and anything sent as a bearer token blanked out. Every message and reply
        text leaving the client goes through here, because a server may echo the request's headers back."""
        key = self._raw_key()
        if key:
            for form in {key, json.dumps(key)[1:-1], quote(key, safe="")}:
                text = text.replace(form, REDACTED)
        return _BEARER.sub(lambda m: m.group(1) + REDACTED, text)

    def _error(self, message: str, cause: str) -> JudgeError:
        return JudgeError(self.redact(message), cause)

    def _request(self, messages: list[dict[str, str]]) -> urllib.request.Request:
        body = {"model": self.model, "messages": messages, "temperature": self.temperature,
                "response_format": {"type": "json_object"}}
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        key = self._key()
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
        """One completion; JudgeError when it fails for good. Each attempt has `timeout` seconds in all."""
        last, cause = "", "unreachable"
        for attempt in range(self.max_retries + 1):
            retry_after: float | None = None
            request = self._request(messages)
            with Deadline(self.timeout) as deadline:
                try:
                    with opener_for(deadline, _NoRedirect).open(request, timeout=self.timeout) as resp:
                        raw = read_capped(resp, self.max_reply)
                    if not deadline.expired:  # else the read ended because the socket was shut: a partial body
                        return self._reply(raw)
                except JudgeError as exc:
                    raise self._error(str(exc), exc.cause) from None
                except ReplyTooLarge as exc:
                    raise self._error(f"judge endpoint's reply refused: {exc}", "reply") from None
                except urllib.error.HTTPError as exc:
                    detail = self._detail(exc)
                    if exc.code not in RETRY_STATUS:
                        hint = (" (check the API key variable " + self.api_key_env + ")"
                                if exc.code in (401, 403) else "")
                        raise self._error(f"judge endpoint answered HTTP {exc.code}: {detail}{hint}",
                                          "refused" if exc.code in REFUSED_STATUS else "http") from None
                    last, cause = f"HTTP {exc.code}: {detail}", "http"
                    retry_after = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
                except (OSError, http.client.HTTPException) as exc:
                    if not deadline.expired:
                        last, cause = self._transport_failure(exc)
                if deadline.expired:
                    last, cause = f"no complete answer within {self.timeout:g} s", "timeout"
            if attempt < self.max_retries:
                self._wait(attempt, retry_after)
        raise self._error(f"judge request failed after {self.max_retries + 1} attempts; last: {last}", cause)

    def _transport_failure(self, exc: BaseException) -> tuple[str, str]:
        """(what happened, cause) for a failure worth retrying; JudgeError at once for one that is not."""
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return f"no complete answer within {self.timeout:g} s", "timeout"
        if isinstance(reason, (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected,
                               http.client.IncompleteRead)):
            return f"connection dropped: {reason}", "unreachable"
        if isinstance(reason, http.client.HTTPException):
            raise self._error(f"the judge endpoint {self.endpoint} does not answer in HTTP: {reason!r}",
                              "unreachable") from None
        raise self._error(f"cannot reach the judge endpoint {self.endpoint}: {reason}", "unreachable") from None

    def _detail(self, exc: urllib.error.HTTPError) -> str:
        """The server's error message, from a body read no further than an error message needs."""
        try:
            text = exc.read(MAX_ERROR_BODY).decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            text = ""
        text = self.redact(text)
        try:
            message = json.loads(text)["error"]["message"]
            return str(message)[:300]
        except (ValueError, KeyError, TypeError):
            return (text.strip() or exc.reason or "")[:300]

    def _reply(self, raw: bytes) -> ChatReply:
        """The first choice's content and the usage, from an OpenAI-style completion body."""
        try:
            body: Any = json.loads(raw.decode("utf-8"))
            content = body["choices"][0]["message"]["content"]
        except (UnicodeDecodeError, ValueError, KeyError, IndexError, TypeError):
            shown = self.redact(raw[:4096].decode("utf-8", "replace"))[:200]
            raise self._error(f"the judge endpoint's reply is not a chat completion: {shown!r}", "reply") from None
        if not isinstance(content, str):
            raise self._error("the judge's reply has no text content", "reply")
        usage = body.get("usage") if isinstance(body, dict) else None
        tokens = None
        if isinstance(usage, dict) and isinstance(usage.get("prompt_tokens"), int):
            tokens = {"prompt_tokens": int(usage["prompt_tokens"]),
                      "completion_tokens": int(usage.get("completion_tokens") or 0)}
        return ChatReply(content=self.redact(content), usage=tokens)
