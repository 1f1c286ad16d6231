from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from scraper.config import (
    Config,
    ConfigDiff,
    ConfigWatcher,
    Schedule,
    Source,
    diff_configs,
    load_config,
    parse_config,
)
from scraper.errors import ConfigError, StorageError

V1 = "sources:\n  - name: a\n    url: https://a.example\n    interval: 1h\n"
V2 = V1 + "  - name: b\n    url: https://b.example\n"
INVALID = V1 + "  - name: Bad Name\n    url: ftp://b.example\n"


async def write(path: Path, text: str) -> None:
    await asyncio.to_thread(path.write_text, text, encoding="utf-8")


class Recorder:
    """The watcher's callback: records configs and wakes waiters."""

    def __init__(self) -> None:
        self.configs: list[Config] = []
        self.changed = asyncio.Event()

    async def __call__(self, config: Config) -> None:
        self.configs.append(config)
        self.changed.set()


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(V1, encoding="utf-8")
    return path


@pytest.fixture
async def watcher_factory(
    config_file: Path,
) -> AsyncIterator[Callable[..., ConfigWatcher]]:
    started: list[ConfigWatcher] = []

    def make(recorder: Recorder, **kwargs: object) -> ConfigWatcher:
        watcher = ConfigWatcher(config_file, recorder, **kwargs)  # type: ignore[arg-type]
        started.append(watcher)
        return watcher

    yield make
    for watcher in started:
        await watcher.stop()


async def test_load_sets_the_baseline(
    config_file: Path, watcher_factory: Callable[..., ConfigWatcher]
) -> None:
    recorder = Recorder()
    watcher = watcher_factory(recorder)
    assert watcher.config is None
    config = await watcher.load()
    assert config == load_config(config_file)
    assert watcher.config is config
    assert recorder.configs == []
    assert await watcher.reload_now() is False  # unchanged: nothing to apply


async def test_load_raises_on_invalid_or_missing_file(
    config_file: Path, watcher_factory: Callable[..., ConfigWatcher]
) -> None:
    watcher = watcher_factory(Recorder())
    await write(config_file, INVALID)
    with pytest.raises(ConfigError) as info:
        await watcher.load()
    assert len(info.value.problems) == 2
    await asyncio.to_thread(config_file.unlink)
    with pytest.raises(ConfigError, match="cannot read the file"):
        await watcher.load()


async def test_reload_now_applies_a_valid_change(
    config_file: Path, watcher_factory: Callable[..., ConfigWatcher]
) -> None:
    recorder = Recorder()
    watcher = watcher_factory(recorder)
    old = await watcher.load()
    await write(config_file, V2)

    assert await watcher.reload_now() is True

    (new,) = recorder.configs
    assert [s.name for s in new.sources] == ["a", "b"]
    assert watcher.config is new
    assert diff_configs(old, new) == ConfigDiff(added=("b",))


async def test_polling_applies_a_valid_change(
    config_file: Path, watcher_factory: Callable[..., ConfigWatcher]
) -> None:
    recorder = Recorder()
    watcher = watcher_factory(recorder, poll_interval=0.01)
    await watcher.load()
    watcher.start()
    await write(config_file, V2)

    await asyncio.wait_for(recorder.changed.wait(), timeout=10)

    assert [s.name for s in recorder.configs[-1].sources] == ["a", "b"]
    assert watcher.config == recorder.configs[-1]


async def test_polling_without_load_uses_the_given_config_as_baseline(
    config_file: Path, watcher_factory: Callable[..., ConfigWatcher]
) -> None:
    recorder = Recorder()
    watcher = watcher_factory(recorder, config=load_config(config_file))
    assert await watcher.poll_once() is False  # same file, same config: no call
    await write(config_file, V2)
    assert await watcher.poll_once() is True
    assert len(recorder.configs) == 1


async def test_touch_without_change_does_not_reload(
    config_file: Path, watcher_factory: Callable[..., ConfigWatcher]
) -> None:
    recorder = Recorder()
    watcher = watcher_factory(recorder)
    await watcher.load()
    stat = await asyncio.to_thread(config_file.stat)
    times = (stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000)
    await asyncio.to_thread(os.utime, config_file, ns=times)
    assert await watcher.poll_once() is False
    assert recorder.configs == []


async def test_invalid_change_keeps_the_old_config_and_logs_every_problem(
    config_file: Path,
    watcher_factory: Callable[..., ConfigWatcher],
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder()
    watcher = watcher_factory(recorder)
    old = await watcher.load()
    await write(config_file, INVALID)

    with caplog.at_level(logging.INFO, logger="scraper.config"):
        assert await watcher.reload_now() is False

    assert watcher.config is old
    assert recorder.configs == []
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [
        f"{config_file}:5: source 'Bad Name': name: invalid name 'Bad Name': use only "
        "lowercase letters, digits and '-' (e.g. 'bad-name')",
        f"{config_file}:6: source 'Bad Name': url: invalid URL 'ftp://b.example': "
        "the scheme must be http or https",
    ]
    assert all(r.name == "scraper.config" for r in caplog.records)
    assert any("keeping the last valid config" in r.getMessage() for r in caplog.records)


async def test_polling_logs_an_invalid_file_once_then_recovers(
    config_file: Path,
    watcher_factory: Callable[..., ConfigWatcher],
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder()
    watcher = watcher_factory(recorder)
    old = await watcher.load()
    await write(config_file, INVALID)
    with caplog.at_level(logging.ERROR, logger="scraper.config"):
        assert await watcher.poll_once() is False
        await asyncio.to_thread(os.utime, config_file)  # touched again, same content
        assert await watcher.poll_once() is False
    assert len(caplog.records) == 2  # the two problems, once
    assert watcher.config is old

    await write(config_file, V2)
    assert await watcher.poll_once() is True
    assert [s.name for s in recorder.configs[-1].sources] == ["a", "b"]


async def test_polling_survives_a_deleted_file(
    config_file: Path,
    watcher_factory: Callable[..., ConfigWatcher],
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder()
    watcher = watcher_factory(recorder)
    old = await watcher.load()
    await asyncio.to_thread(config_file.unlink)
    with caplog.at_level(logging.ERROR, logger="scraper.config"):
        assert await watcher.poll_once() is False
        assert await watcher.poll_once() is False
    assert len(caplog.records) == 1
    assert "cannot read the file" in caplog.records[0].getMessage()
    assert watcher.config is old

    await write(config_file, V2)  # an editor's save-by-rename
    assert await watcher.poll_once() is True


async def test_a_failed_apply_keeps_the_old_config_and_is_retried_until_it_succeeds(
    config_file: Path,
    watcher_factory: Callable[..., ConfigWatcher],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A reload while the database is down: nothing switches, and the next polls try the
    same change again until it is applied (the source it adds is never lost)."""
    attempts: list[Config] = []

    async def flaky(config: Config) -> None:
        attempts.append(config)
        if len(attempts) < 3:
            raise StorageError("database unreachable: connection refused")

    watcher = ConfigWatcher(config_file, flaky)
    old = await watcher.load()
    await write(config_file, V2)
    with caplog.at_level(logging.WARNING, logger="scraper.config"):
        assert await watcher.poll_once() is False
        assert watcher.config is old
        assert await watcher.poll_once() is False  # the file did not change: tried again
        assert watcher.config is old
        assert await watcher.poll_once() is True
    assert watcher.config is not None
    assert [s.name for s in watcher.config.sources] == ["a", "b"]
    assert [len(c.sources) for c in attempts] == [2, 2, 2]
    assert "could not apply the reloaded" in caplog.text
    assert "Traceback" not in caplog.text
    assert await watcher.poll_once() is False  # applied: nothing more to do


async def test_stop_ends_the_polling_task(
    config_file: Path, watcher_factory: Callable[..., ConfigWatcher]
) -> None:
    watcher = watcher_factory(Recorder(), poll_interval=0.01)
    await watcher.load()
    watcher.start()
    tasks = [t for t in asyncio.all_tasks() if t.get_name() == "config-watcher"]
    assert len(tasks) == 1
    await watcher.stop()
    assert tasks[0].done()
    await watcher.stop()  # idempotent


def test_poll_interval_must_be_positive(config_file: Path) -> None:
    with pytest.raises(ValueError, match="poll_interval"):
        ConfigWatcher(config_file, Recorder(), poll_interval=0)


# --- diff_configs -------------------------------------------------------------------------------


def _config(*sources: Source) -> Config:
    return Config(sources=sources)


def test_diff_configs() -> None:
    a = Source(name="a", url="https://a.example")
    b = Source(name="b", url="https://b.example")
    c = Source(name="c", url="https://c.example")
    old = _config(a, b, c)
    new = _config(
        Source(name="d", url="https://d.example"),
        Source(name="c", url="https://c.example", schedule=Schedule(cron="0 * * * *")),
        a,
    )
    diff = diff_configs(old, new)
    assert diff == ConfigDiff(added=("d",), removed=("b",), changed=("c",))
    assert diff


def test_diff_ignores_a_source_that_only_moved_in_the_file() -> None:
    old = parse_config(V2)
    new = parse_config(
        "sources:\n  - name: b\n    url: https://b.example\n"
        "  - name: a\n    url: https://a.example\n    interval: 1h\n"
    )
    assert [s.name for s in new.sources] == ["b", "a"]
    assert old.source("a").line != new.source("a").line
    diff = diff_configs(old, new)
    assert diff == ConfigDiff()
    assert not diff


def test_diff_reports_enabled_and_channel_changes() -> None:
    old = parse_config(V1)
    new = parse_config(
        V1 + "    enabled: false\nnotifications:\n  - type: jsonl\n    path: e.jsonl\n"
    )
    assert diff_configs(old, new) == ConfigDiff(changed=("a",), channels_changed=True)
