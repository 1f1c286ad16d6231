"""nea-monitor: an async monitor for Northeast Asian regional-cooperation news sites."""

__version__ = "0.1.0"
