"""Webhook channel: POST the event's JSON, signed with HMAC-SHA256.

Headers: ``Content-Type: application/json``, ``X-Nea-Event-Id`` (the idempotency key),
``X-Nea-Event-Type`` and, when the channel has a secret, ``X-Nea-Signature:
sha256=<hex HMAC-SHA256 of the exact body bytes>``. Any 2xx answer is a delivery; every
other status, a timeout or a connection error is a failure the dispatcher retries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from typing import Any

import httpx

from scraper.errors import NotifyError
from scraper.notify.types import OutboxEvent

SIGNATURE_HEADER = "X-Nea-Signature"


def encode_body(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(body: bytes, secret: str) -> str:
    """The ``X-Nea-Signature`` value for ``body``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(body: bytes, secret: str, header: str | None) -> bool:
    """Receiver side: does ``header`` carry the right signature of ``body``?"""
    return header is not None and hmac.compare_digest(sign(body, secret), header)


class WebhookChannel:
    def __init__(
        self,
        name: str,
        url: str,
        *,
        client: httpx.AsyncClient,
        secret: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.name = name
        self.url = url
        self._client = client
        self._secret = secret
        self._timeout = timeout

    @classmethod
    def from_env(
        cls,
        name: str,
        url: str,
        *,
        client: httpx.AsyncClient,
        secret_env: str | None,
        timeout: float,
        environ: Mapping[str, str] = os.environ,
    ) -> WebhookChannel:
        """A channel whose secret is read from the environment variable ``secret_env``.
        A named but unset or empty variable is an error: sending unsigned webhooks to a
        receiver that expects signatures would only fail later, less clearly."""
        secret = None
        if secret_env:
            secret = environ.get(secret_env) or None
            if secret is None:
                raise NotifyError(
                    f"environment variable {secret_env} (secret_env) is not set", channel=name
                )
        return cls(name, url, client=client, secret=secret, timeout=timeout)

    def headers(self, event: OutboxEvent, body: bytes) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "X-Nea-Event-Id": event.id,
            "X-Nea-Event-Type": event.type,
        }
        if self._secret is not None:
            headers[SIGNATURE_HEADER] = sign(body, self._secret)
        return headers

    async def send(self, event: OutboxEvent) -> None:
        body = encode_body(event.payload)
        try:
            response = await self._client.post(
                self.url,
                content=body,
                headers=self.headers(event, body),
                timeout=self._timeout,
                follow_redirects=False,
            )
        except httpx.TimeoutException:
            raise NotifyError(
                f"webhook {self.url} timed out after {self._timeout:g}s", channel=self.name
            ) from None
        except httpx.HTTPError as exc:
            raise NotifyError(
                f"webhook {self.url} failed: {type(exc).__name__}: {exc}", channel=self.name
            ) from exc
        if not 200 <= response.status_code < 300:
            snippet = " ".join(response.text[:200].split())
            raise NotifyError(
                f"webhook {self.url} answered {response.status_code}"
                + (f": {snippet}" if snippet else ""),
                channel=self.name,
            )
