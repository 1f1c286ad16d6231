"""Where Chromium is, and why it cannot run: light enough for ``scraper check`` (no
fetcher, no browser started)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable

from scraper.config.types import Source

CHROMIUM_ENV = "NEA_CHROMIUM"
# Debian's /usr/bin/chromium is a shell wrapper that adds Google API keys and flags of
# its own; the binary it runs is preferred.
_CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser")
MISSING = (
    "Chromium not found: install Debian's chromium package (apt-get install chromium) "
    f"or set {CHROMIUM_ENV} to the browser's path"
)


def find_chromium() -> str | None:
    """The Chromium executable to run: ``$NEA_CHROMIUM`` if set (and then only it), else
    Debian's binary, else ``chromium`` on the PATH; None when there is none."""
    override = os.environ.get(CHROMIUM_ENV, "").strip()
    if override:
        found = shutil.which(override)
        return found if found and os.access(found, os.X_OK) else None
    for candidate in _CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def chromium_problem() -> str | None:
    """One line saying why no browser can run here, or None when one can."""
    if find_chromium() is not None:
        return None
    override = os.environ.get(CHROMIUM_ENV, "").strip()
    if override:
        return f"{CHROMIUM_ENV}={override!r} is not an executable file; {MISSING}"
    return MISSING


def needs_browser(sources: Iterable[Source]) -> list[Source]:
    """The enabled sources that render in the browser."""
    return [s for s in sources if s.enabled and s.render == "browser"]
