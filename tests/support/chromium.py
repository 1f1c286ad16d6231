"""Real Chromium in tests: a fixture that needs it, and a scan of /proc for browser
processes left behind.

Without Chromium the browser tests are skipped on a developer's machine, and fail in CI
(``CI=true``), where ``.ci/run`` installs Debian's ``chromium``."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from scraper.chromium_path import chromium_problem


@pytest.fixture
def chromium() -> None:
    problem = chromium_problem()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"browser tests must run in CI: {problem}")
    pytest.skip(problem)


def none_left(marker: str, timeout: float = 30.0) -> list[int]:
    """The processes still mentioning ``marker`` once none is, or ``timeout`` passed: a
    process group just killed takes a moment to leave /proc."""
    end = time.monotonic() + timeout
    while (left := processes_mentioning(marker)) and time.monotonic() < end:
        time.sleep(0.05)
    return left


def processes_mentioning(marker: str) -> list[int]:
    """Live (not zombie) processes whose command line contains ``marker`` (a browser's
    ``--user-data-dir`` is under the test's own temporary directory)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state = stat[stat.rindex(")") + 2 :].split()[0]
        if marker in cmdline and state != "Z" and "chromium" in cmdline:
            found.append(int(entry.name))
    return found
