"""A small DevTools-protocol client over Chromium's ``--remote-debugging-pipe``.

Messages are JSON objects, each ended by a NUL byte. Commands carry an ``id`` answered
once; events carry a ``method`` and, for a page attached in flat mode, its
``sessionId``. Event handlers are registered per session; everything is on the event
loop (the pipe ends are non-blocking asyncio pipes).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Callable
from typing import Any

from scraper.errors import DevToolsError

JSON = dict[str, Any]
EventHandler = Callable[[str, JSON], None]
MAX_MESSAGE = 256 * 1024 * 1024  # a bigger message means a broken browser


class _Reader(asyncio.Protocol):
    def __init__(self, connection: CdpConnection) -> None:
        self._connection = connection
        self._buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\0")
            if end < 0:
                break
            message = bytes(self._buffer[:end])
            del self._buffer[: end + 1]
            self._connection.received(message)
        if len(self._buffer) > MAX_MESSAGE:
            self._connection.closed("DevTools message too large")

    def connection_lost(self, exc: Exception | None) -> None:
        self._connection.closed("the browser closed its DevTools pipe")


class CdpConnection:
    """One browser's DevTools connection. ``send`` waits for the answer; ``listen``
    routes a session's events to a handler."""

    def __init__(self) -> None:
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[JSON]] = {}
        self._handlers: dict[str, EventHandler] = {}
        self._writer: asyncio.WriteTransport | None = None
        self._reader: asyncio.ReadTransport | None = None
        self.closed_because: str | None = None
        self.on_close: Callable[[str], None] | None = None

    async def open(self, reader_fd: int, writer_fd: int) -> None:
        loop = asyncio.get_running_loop()
        self._reader, _ = await loop.connect_read_pipe(
            lambda: _Reader(self), os.fdopen(reader_fd, "rb", buffering=0)
        )
        self._writer, _ = await loop.connect_write_pipe(
            asyncio.Protocol, os.fdopen(writer_fd, "wb", buffering=0)
        )

    async def send(
        self, method: str, params: JSON | None = None, session: str | None = None
    ) -> JSON:
        if self.closed_because is not None or self._writer is None:
            raise DevToolsError(self.closed_because or "not connected", closed=True)
        self._next_id += 1
        message: JSON = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        answer: asyncio.Future[JSON] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = answer
        self._writer.write(json.dumps(message).encode() + b"\0")
        try:
            return await answer
        finally:
            self._pending.pop(message["id"], None)

    def listen(self, session: str, handler: EventHandler) -> None:
        self._handlers[session] = handler

    def forget(self, session: str) -> None:
        self._handlers.pop(session, None)

    def received(self, raw: bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            return
        if "id" in message:
            answer = self._pending.get(message["id"])
            if answer is None or answer.done():
                return
            if "error" in message:
                answer.set_exception(DevToolsError(str(message["error"].get("message"))))
            else:
                answer.set_result(message.get("result", {}))
            return
        handler = self._handlers.get(message.get("sessionId", ""))
        if handler is not None:
            handler(message.get("method", ""), message.get("params", {}))

    def closed(self, why: str) -> None:
        if self.closed_because is not None:
            return
        self.closed_because = why
        for answer in self._pending.values():
            if not answer.done():
                answer.set_exception(DevToolsError(why, closed=True))
        for handler in list(self._handlers.values()):
            handler("Nea.closed", {"reason": why})
        if self.on_close is not None:
            self.on_close(why)

    def close(self) -> None:
        for transport in (self._writer, self._reader):
            if transport is not None:
                with contextlib.suppress(Exception):
                    transport.close()
        self.closed("closed by us")
