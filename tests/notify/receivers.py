"""A webhook receiver for the loopback fixture server: verifies signatures, can fail a
given number of times first, and records what it accepted."""

from __future__ import annotations

import json
import threading
from typing import Any

from scraper.notify.webhook import verify
from tests.support.httpserver import FixtureRequestHandler


class WebhookReceiver:
    def __init__(self, *, secret: str | None = None, failures: int = 0, status: int = 503):
        self.secret = secret
        self.failures = failures  # -1: never succeed
        self.status = status
        self.calls = 0
        self.accepted: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.bad_signatures = 0
        self.lock = threading.Lock()

    def __call__(self, handler: FixtureRequestHandler) -> None:
        body = handler.request_body
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self.lock:
            self.calls += 1
            call = self.calls
            self.headers.append(headers)
        if self.secret is not None and not verify(
            body, self.secret, headers.get("x-nea-signature")
        ):
            with self.lock:
                self.bad_signatures += 1
            handler.send_plain(401, b"bad signature")
            return
        if self.failures < 0 or call <= self.failures:
            handler.send_plain(self.status, b"receiver is down")
            return
        with self.lock:
            self.accepted.append(json.loads(body))
        handler.send_plain(200, b"ok")
