from __future__ import annotations

import hashlib
import hmac
import json
import threading

import httpx
import pytest

from scraper.errors import NotifyError
from scraper.notify.types import OutboxEvent
from scraper.notify.webhook import WebhookChannel, encode_body, sign, verify
from tests.notify.fakes import article
from tests.notify.receivers import WebhookReceiver
from tests.support.httpserver import FixtureRequestHandler, FixtureServer

SECRET = "s3cret-ключ"


def event(event_type: str = "article.new") -> OutboxEvent:
    payload = {
        "id": "9b1f6f3e-0000-4000-8000-000000000001",
        "type": event_type,
        "occurred_at": "2026-05-01T09:00:00Z",
        "source": "near-news",
        "article": article(1, title="동북아 지방정부 협력 회의"),
    }
    return OutboxEvent(id=payload["id"], type=event_type, payload=payload, source="near-news")


async def test_posts_signed_json(server: FixtureServer, http_client: httpx.AsyncClient) -> None:
    receiver = WebhookReceiver(secret=SECRET)
    server.route("/hook", receiver)
    channel = WebhookChannel("hook", server.url("/hook"), client=http_client, secret=SECRET)

    await channel.send(event())

    assert receiver.bad_signatures == 0
    assert receiver.accepted == [event().payload]
    headers = receiver.headers[0]
    assert headers["content-type"] == "application/json"
    assert headers["x-nea-event-id"] == event().id
    assert headers["x-nea-event-type"] == "article.new"
    body = server.bodies[0]
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-nea-signature"] == f"sha256={expected}"
    assert "동북아".encode() in body  # UTF-8, not \\u escapes


async def test_no_signature_without_secret(
    server: FixtureServer, http_client: httpx.AsyncClient
) -> None:
    receiver = WebhookReceiver()
    server.route("/hook", receiver)
    await WebhookChannel("hook", server.url("/hook"), client=http_client).send(event())
    assert "x-nea-signature" not in receiver.headers[0]
    assert len(receiver.accepted) == 1


async def test_wrong_secret_is_rejected_by_receiver(
    server: FixtureServer, http_client: httpx.AsyncClient
) -> None:
    receiver = WebhookReceiver(secret=SECRET)
    server.route("/hook", receiver)
    channel = WebhookChannel("hook", server.url("/hook"), client=http_client, secret="other")
    with pytest.raises(NotifyError, match="answered 401"):
        await channel.send(event())
    assert receiver.bad_signatures == 1


async def test_non_2xx_is_a_failure_naming_status(
    server: FixtureServer, http_client: httpx.AsyncClient
) -> None:
    server.route("/hook", WebhookReceiver(failures=-1, status=502))
    channel = WebhookChannel("hook", server.url("/hook"), client=http_client)
    with pytest.raises(NotifyError, match="answered 502: receiver is down") as caught:
        await channel.send(event())
    assert caught.value.channel == "hook"


async def test_timeout_is_a_failure(server: FixtureServer, http_client: httpx.AsyncClient) -> None:
    release = threading.Event()

    def stall(handler: FixtureRequestHandler) -> None:
        release.wait(10)
        handler.send_plain(200, b"too late")

    server.route("/slow", stall)
    channel = WebhookChannel("hook", server.url("/slow"), client=http_client, timeout=0.2)
    try:
        with pytest.raises(NotifyError, match=r"timed out after 0\.2s"):
            await channel.send(event())
    finally:
        release.set()


async def test_connection_refused_is_a_failure(http_client: httpx.AsyncClient) -> None:
    with FixtureServer() as gone:
        url = gone.url("/hook")
    channel = WebhookChannel("hook", url, client=http_client, timeout=2)
    with pytest.raises(NotifyError, match="ConnectError"):
        await channel.send(event())


def test_secret_from_environment(http_client: httpx.AsyncClient) -> None:
    channel = WebhookChannel.from_env(
        "hook",
        "http://127.0.0.1:9/",
        client=http_client,
        secret_env="NEA_HOOK_SECRET",
        timeout=1,
        environ={"NEA_HOOK_SECRET": SECRET},
    )
    body = encode_body(event().payload)
    assert channel.headers(event(), body)["X-Nea-Signature"] == sign(body, SECRET)
    with pytest.raises(NotifyError, match="NEA_HOOK_SECRET"):
        WebhookChannel.from_env(
            "hook",
            "http://x/",
            client=http_client,
            secret_env="NEA_HOOK_SECRET",
            timeout=1,
            environ={},
        )


def test_verify() -> None:
    body = json.dumps({"id": "x"}).encode()
    assert verify(body, "k", sign(body, "k"))
    assert not verify(body, "k", sign(body + b" ", "k"))
    assert not verify(body, "k", None)
