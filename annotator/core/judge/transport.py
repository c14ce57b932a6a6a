"""The judge's HTTP plumbing: one overall deadline per request and a cap on what a reply may hold.

urllib's `timeout` bounds each socket operation, not the request: a server that sends one byte a second never
trips it, and a reply is read whole however large it is. Here a timer shuts the request's socket down when the
request's time is up, which wakes a read blocked in any phase (connect, status line, headers, body), and replies
are read in pieces that stop one byte past the cap, so a 400 MB body costs at most the cap in memory.
"""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.request
from functools import partial
from typing import Any

MAX_REPLY = 8 * 1024 * 1024
MAX_ERROR_BODY = 64 * 1024  # enough for any error message worth showing
_PIECE = 64 * 1024


class ReplyTooLarge(Exception):
    """The reply announced or sent more than the cap; nothing beyond the cap was read."""


class Deadline:
    """One request's whole time budget, enforced by shutting down every socket the request opened."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> "Deadline":
        self._timer.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> socket.socket:
        """Keep `sock` to shut at the deadline (at once when it has already passed)."""
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)
        return sock

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed, or handed over to a TLS wrapper that is watched in its own right


class _Watched:
    """Mixed into http.client's connections: the raw socket and the (possibly TLS) one both go on watch."""

    def __init__(self, *args: Any, deadline: Deadline, **kwargs: Any):
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self._deadline = deadline
        create = self._create_connection  # type: ignore[has-type]
        self._create_connection = lambda *a, **k: deadline.watch(create(*a, **k))

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self._deadline.watch(self.sock)  # type: ignore[attr-defined]


class _WatchedHTTP(_Watched, http.client.HTTPConnection):
    pass


class _WatchedHTTPS(_Watched, http.client.HTTPSConnection):
    pass


class _DeadlineHTTP(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(partial(_WatchedHTTP, deadline=self.deadline), req)  # type: ignore[arg-type]


class _DeadlineHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline):
        super().__init__()
        self.deadline = deadline

    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(partial(_WatchedHTTPS, deadline=self.deadline), req,  # type: ignore[arg-type]
                            context=self._context)  # type: ignore[attr-defined]


def opener_for(deadline: Deadline, *handlers: Any) -> urllib.request.OpenerDirector:
    """urllib's opener (proxies from the environment included) with connections that answer to `deadline`."""
    return urllib.request.build_opener(_DeadlineHTTP(deadline), _DeadlineHTTPS(deadline), *handlers)


def read_capped(resp: Any, cap: int = MAX_REPLY) -> bytes:
    """The body of `resp`, or ReplyTooLarge as soon as it is known to exceed `cap` bytes."""
    length = (resp.headers.get("Content-Length") or "").strip() if resp.headers else ""
    if length.isdigit() and int(length) > cap:
        raise ReplyTooLarge(f"the reply announces {int(length):,} bytes, more than the {cap:,} allowed")
    pieces: list[bytes] = []
    size = 0
    while True:
        piece = resp.read(min(_PIECE, cap + 1 - size))
        if not piece:
            return b"".join(pieces)
        pieces.append(piece)
        size += len(piece)
        if size > cap:
            raise ReplyTooLarge(f"the reply is larger than the {cap:,} bytes allowed")
