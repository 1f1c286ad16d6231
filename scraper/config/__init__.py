"""Configuration: ``sources.yaml`` parsed once into frozen, typed objects, and hot reload.

``load_config``/``parse_config`` raise ``scraper.errors.ConfigError`` listing every problem
as ``path:line: message``; ``ConfigWatcher`` re-reads the file and swaps in a new
``Config`` only when the whole file is valid; ``diff_configs`` says which sources a reload
added, removed or changed.

The names are imported on first use (``scraper._lazy``): ``scraper.config.types`` alone
needs neither pydantic nor PyYAML.
"""

from typing import TYPE_CHECKING

from scraper import _lazy

if TYPE_CHECKING:
    from scraper.config.loader import load_config, parse_config
    from scraper.config.types import Channel, Config, Schedule, Source
    from scraper.config.watch import ConfigDiff, ConfigWatcher, diff_configs

__all__ = [
    "Channel",
    "Config",
    "ConfigDiff",
    "ConfigWatcher",
    "Schedule",
    "Source",
    "diff_configs",
    "load_config",
    "parse_config",
]

__getattr__ = _lazy.exports(
    globals(),
    {
        "load_config": "scraper.config.loader",
        "parse_config": "scraper.config.loader",
        "Channel": "scraper.config.types",
        "Config": "scraper.config.types",
        "Schedule": "scraper.config.types",
        "Source": "scraper.config.types",
        "ConfigDiff": "scraper.config.watch",
        "ConfigWatcher": "scraper.config.watch",
        "diff_configs": "scraper.config.watch",
    },
)
