"""Package exports imported on first use (PEP 562), so that importing one light module of
a package does not import the whole package.

The parsing process unpickles ``scraper.config.types.Source`` and
``scraper.fetch.types.Page``; Python runs the package's ``__init__`` first, and an eager
``__init__`` pulled pydantic and PyYAML (the loader) or httpx (the fetcher) into a process
that never loads a config or fetches a page: about 50 MB of its memory."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def exports(namespace: dict[str, Any], where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for the package whose ``globals()`` is ``namespace``:
    ``where`` maps each exported name to the module that defines it. A value is kept in
    the package once imported, so the next look-up does not come here."""
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
