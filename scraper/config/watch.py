"""Hot reload of ``sources.yaml``.

``ConfigWatcher`` polls the file (mtime, size and a hash of the content) and offers
``reload_now()`` for SIGHUP. A change is parsed in full; only a valid file reaches the
callback, and it becomes the current ``Config`` only once the callback succeeded (a
callback that fails, e.g. while the database is down, is called again at the next poll).
An invalid file is logged, one ``path:line`` problem per record on the ``scraper.config``
logger, and the last valid config stays.

``diff_configs`` tells the scheduler which sources to start, stop or reschedule.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from scraper.config.loader import parse_bytes, read_bounded, unreadable
from scraper.config.types import Config, Source, Topic
from scraper.errors import ConfigError, ScraperError

logger = logging.getLogger("scraper.config")

OnChange = Callable[[Config], Awaitable[None]]


@dataclass(frozen=True)
class ConfigDiff:
    """Source names, in file order, that a reload added, removed or changed.

    ``channels_changed`` is true when the notification channels differ, ``topics_changed``
    when the topics do (they apply to the events written after the reload)."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    channels_changed: bool = False
    topics_changed: bool = False

    def __bool__(self) -> bool:
        return bool(
            self.added or self.removed or self.changed or self.channels_changed
            or self.topics_changed
        )  # fmt: skip


def diff_configs(old: Config, new: Config) -> ConfigDiff:
    """Compare two configs by source name. A source only moved within the file (its
    ``line`` differs) is not changed; any other difference, ``enabled`` included, is."""
    before = {source.name: source for source in old.sources}
    after = {source.name: source for source in new.sources}
    return ConfigDiff(
        added=tuple(name for name in after if name not in before),
        removed=tuple(name for name in before if name not in after),
        changed=tuple(
            name
            for name, source in after.items()
            if name in before and _comparable(before[name]) != _comparable(source)
        ),
        channels_changed=old.channels != new.channels,
        topics_changed=_comparable_topics(old) != _comparable_topics(new),
    )


def _comparable_topics(config: Config) -> tuple[Topic, ...]:
    return tuple(dataclasses.replace(topic, line=0) for topic in config.topics)


def _comparable(source: Source) -> Source:
    return dataclasses.replace(source, line=0)


Fingerprint = tuple[int, int, str]  # mtime_ns, size, sha256 of the content


def _read_if_changed(path: Path, seen: Fingerprint | None) -> tuple[Fingerprint, bytes] | None:
    """Blocking (run it in a thread): the file's fingerprint and bytes, or ``None`` when its
    mtime and size still match ``seen``. Raises ``OSError``."""
    stat = path.stat()
    if seen is not None and (stat.st_mtime_ns, stat.st_size) == seen[:2]:
        return None
    with path.open("rb") as handle:
        stat = os.fstat(handle.fileno())
        data = read_bounded(handle)
    return (stat.st_mtime_ns, stat.st_size, hashlib.sha256(data).hexdigest()), data


class ConfigWatcher:
    """Watch one ``sources.yaml``; call ``on_change(new_config)`` after each valid change.

    Typical use::

        watcher = ConfigWatcher("sources.yaml", scheduler.apply_config, poll_interval=2.0)
        config = await watcher.load()       # initial load; raises ConfigError
        watcher.start()                     # background polling task
        loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(watcher.reload_now()))
        ...
        await watcher.stop()

    ``load()`` may be skipped by passing the already loaded ``config``: the first poll then
    reads the file and calls back only if it no longer gives that config.
    """

    def __init__(
        self,
        path: str | Path,
        on_change: OnChange,
        *,
        poll_interval: float = 2.0,
        config: Config | None = None,
    ) -> None:
        if poll_interval <= 0:
            raise ValueError("poll_interval must be greater than zero")
        self.path = Path(path)
        self.poll_interval = poll_interval
        self._on_change = on_change
        self._config = config
        self._seen: Fingerprint | None = None
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._unreadable_logged = False

    @property
    def config(self) -> Config | None:
        """The last valid configuration (``None`` before the first successful load)."""
        return self._config

    async def load(self) -> Config:
        """Load the file now, as the baseline; raises ``ConfigError`` when it is invalid."""
        async with self._lock:
            try:
                read = await asyncio.to_thread(_read_if_changed, self.path, None)
            except OSError as exc:
                raise ConfigError([unreadable(str(self.path), exc)]) from None
            assert read is not None
            self._seen, data = read
            self._config = parse_bytes(data, str(self.path))
            return self._config

    def start(self) -> None:
        """Start polling in a background task named ``config-watcher``."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._poll_forever(), name="config-watcher")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def reload_now(self) -> bool:
        """Re-read the file now (for SIGHUP). Returns true when a new config was applied.

        Unlike a poll, an invalid file is reported again even if it was reported before."""
        return await self._check(force=True)

    async def poll_once(self) -> bool:
        """One poll: reload if the file's content changed since the last read."""
        return await self._check(force=False)

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(self.poll_interval)
            try:
                await self.poll_once()
            except Exception:  # never let one bad poll end hot reload
                logger.exception("polling %s failed; keeping the current config", self.path)

    async def _check(self, *, force: bool) -> bool:
        async with self._lock:
            try:
                read = await asyncio.to_thread(
                    _read_if_changed, self.path, None if force else self._seen
                )
            except OSError as exc:
                if force or not self._unreadable_logged:
                    logger.error("%s; keeping the current config", unreadable(str(self.path), exc))
                    self._unreadable_logged = True
                return False
            self._unreadable_logged = False
            if read is None:
                return False  # same mtime and size
            fingerprint, data = read
            previous, self._seen = self._seen, fingerprint
            if not force and previous is not None and previous[2] == fingerprint[2]:
                return False  # touched, not changed
            return await self._apply(data, force=force)

    async def _apply(self, data: bytes, *, force: bool) -> bool:
        try:
            config = parse_bytes(data, str(self.path))
        except ConfigError as exc:
            for problem in exc.problems:
                logger.error("%s", problem)
            logger.warning(
                "%s is invalid (%d problem%s); keeping the last valid config",
                self.path,
                len(exc.problems),
                "" if len(exc.problems) == 1 else "s",
            )
            return False
        if config == self._config:
            if force:
                logger.info("%s reloaded: no change", self.path)
            return False
        try:
            await self._on_change(config)
        except Exception as exc:
            # Nothing was switched (the callback syncs first, then swaps): forget the
            # file's fingerprint so that the next poll reads it again and retries, until
            # the change is applied (sources added in this edit are never lost).
            self._seen = None
            if isinstance(exc, ScraperError):
                logger.warning(
                    "could not apply the reloaded %s (retrying in %.0fs): %s",
                    self.path, self.poll_interval, exc,
                )  # fmt: skip
            else:
                logger.exception("applying the reloaded %s failed; retrying", self.path)
            return False
        self._config = config
        logger.info("%s reloaded", self.path)
        return True


__all__ = ["ConfigDiff", "ConfigWatcher", "diff_configs"]
