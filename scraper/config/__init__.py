"""Configuration: ``sources.yaml`` parsed once into frozen, typed objects, and hot reload.

``load_config``/``parse_config`` raise ``scraper.errors.ConfigError`` listing every problem
as ``path:line: message``; ``ConfigWatcher`` re-reads the file and swaps in a new
``Config`` only when the whole file is valid.
"""

from scraper.config.loader import load_config, parse_config
from scraper.config.types import Channel, Config, Schedule, Source

__all__ = [
    "Channel",
    "Config",
    "Schedule",
    "Source",
    "load_config",
    "parse_config",
]
