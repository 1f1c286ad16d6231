"""Apprise channel: any Apprise URL (mailto://, slack://, tgram://, ntfy://, discord://,
json:// …). Apprise is blocking, so every notify runs in a worker thread.

Without ``digest``, one message per event, formatted by the channel's template (see
``scraper.notify.message``). With ``digest: <seconds>``, the dispatcher gathers article
events and calls :meth:`AppriseChannel.send_digest` once per period.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterable, Sequence

from scraper.errors import NotifyError
from scraper.notify.message import Message, render, render_digest
from scraper.notify.types import OutboxEvent


class AppriseChannel:
    def __init__(
        self,
        name: str,
        url: str,
        *,
        template: str | None = None,
        digest_seconds: float | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.name = name
        self.template = template
        self.digest_seconds = digest_seconds or 0.0
        self._timeout = timeout
        # Imported here: Apprise and its dependencies cost 0.8 s and about 15 MB, which
        # a daemon without an Apprise channel (and every quick command) need not pay.
        import apprise

        self._apprise = apprise.Apprise()
        with warnings.catch_warnings():
            # Apprise imports its plugins on first use; some import deprecated stdlib
            # modules (imghdr on Python 3.11/3.12). Not ours to fix, not worth a log line.
            warnings.simplefilter("ignore", DeprecationWarning)
            added = self._apprise.add(url)
        if not added:
            raise NotifyError(f"not a valid Apprise URL: {_redact(url)}", channel=name)

    async def send(self, event: OutboxEvent) -> None:
        await self._notify(render(self.template, event))

    async def send_digest(self, events: Sequence[OutboxEvent]) -> None:
        """One message, or a few when the list is long; a failure in any of them fails
        the whole digest, which is then sent again (parts already sent included)."""
        if events:
            for message in render_digest(events):
                await self._notify(message)

    async def _notify(self, message: Message) -> None:
        # The thread keeps running past the deadline (threads cannot be cancelled); we only
        # stop waiting for it. A late success then repeats the message: at-least-once.
        try:
            result = await asyncio.wait_for(
                asyncio.to_thread(self._apprise.notify, body=message.body, title=message.title),
                timeout=self._timeout,
            )
        except TimeoutError:
            raise NotifyError(
                f"apprise notification timed out after {self._timeout:g}s", channel=self.name
            ) from None
        if not result:
            detail = _log_lines(getattr(result, "logs", None))
            raise NotifyError(
                "apprise could not deliver the notification" + (f": {detail}" if detail else ""),
                channel=self.name,
            )


def _log_lines(logs: object) -> str:
    """The last warnings Apprise recorded for the call, when this Apprise version keeps
    them (``AppriseResult.logs()``, Apprise 1.10+)."""
    if not callable(logs):
        return ""
    try:
        entries: Iterable[object] = logs()
        lines = [" ".join(str(entry).split()) for entry in entries]
    except Exception:  # diagnostics only, never fail because of them
        return ""
    return "; ".join(lines[-3:])[:500]


def _redact(url: str) -> str:
    """An Apprise URL without its credentials (tokens usually sit before the host)."""
    scheme, sep, _ = url.partition("://")
    return f"{scheme}{sep}…" if sep else "…"
