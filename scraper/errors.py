"""The exception tree of nea-monitor. Every error the product raises on purpose is a
``ScraperError``; lower-level errors (httpx, SQLAlchemy, parsers) are translated at the
boundary of the module that calls them, so callers catch one family::

    ScraperError
    ├── UsageError             an operator's bad input: a path, date or name (CLI exit 2)
    │   └── BadRequest             a bad read-side HTTP request (``status``: 400 or 404)
    ├── ConfigError            sources.yaml is invalid; ``problems`` lists path:line messages
    │   └── YamlSyntaxError        one YAML problem and its ``line`` (internal to the loader)
    ├── FetchError             one URL could not be fetched; carries ``url`` and ``source``
    │   ├── TransportError         connection refused/reset, DNS, timeout
    │   │   └── DeadlineExceeded       the page took longer than ``timeout`` in all; not retried
    │   ├── HTTPStatusError        a status that is not 2xx/304 (``status``, ``retry_after``)
    │   ├── TooManyRedirects       redirect loop or chain past the limit
    │   ├── ResponseTooLarge       body (compressed or decoded) past the size cap
    │   ├── UnsupportedContentType not HTML, XHTML, RSS/Atom or XML
    │   ├── RobotsDisallowed       robots.txt forbids the URL for our user agent
    │   ├── ParserCrashed          the process parsing the page died (only that page failed)
    │   ├── RenderFailed           headless Chromium could not render the page: crashed,
    │   │   │                      over its memory cap, or the rendered DOM too large
    │   │   └── BrowserUnavailable     no Chromium to run (``render: browser``)
    │   └── UnsafeURL              a private address other than the source's own host, or
    │                              a bad scheme
    ├── WorkerCrashed          a CPU-pool process died; the poller reports it as ParserCrashed
    ├── DevToolsError          the browser refused a DevTools command or closed its pipe;
    │                          the browser pool reports it as RenderFailed
    ├── StorageError           the database failed or refused (CLI exit 2)
    │   ├── AlreadyRunning         another daemon holds this SQLite file
    │   └── DatabaseReplaced       the SQLite file was deleted or replaced while in use
    └── NotifyError            one delivery to one channel failed; carries ``channel``

The operator-facing messages, and the exit codes the CLI maps them to, are listed in
docs/reference/errors.md.
"""

from __future__ import annotations


class ScraperError(Exception):
    """Root of every error nea-monitor raises on purpose."""

    def __reduce__(self) -> tuple[object, ...]:
        # Errors cross process boundaries (the CPU pool); the default pickling calls
        # __init__ with ``args`` only and loses the keyword-only fields.
        return (_restore, (type(self), self.args, dict(self.__dict__)))


def _restore(
    cls: type[ScraperError], args: tuple[object, ...], state: dict[str, object]
) -> ScraperError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class UsageError(ScraperError):
    """Bad input on the command line that the operator can fix: a file that cannot be
    read, a date that cannot be, a source that does not exist. The CLI exits with 2."""


class BadRequest(UsageError):
    """A request to the read side (``scraper serve``) it cannot answer: a bad parameter
    (``status`` 400) or something that does not exist (404). Answered as plain text."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class ConfigError(ScraperError):
    """An invalid configuration. ``problems`` holds one ``path:line: message`` per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems) or "invalid configuration")


class YamlSyntaxError(ConfigError):
    """The text is not YAML, or is refused (too deep, too many aliases); ``line`` is
    1-based. The loader reports it as a ``ConfigError`` naming the file."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__([f"line {line}: {message}"])


class FetchError(ScraperError):
    """A URL could not be fetched or was refused."""

    def __init__(self, message: str, *, url: str, source: str | None = None) -> None:
        self.url = url
        self.source = source
        super().__init__(message)

    def __str__(self) -> str:
        where = f"[{self.source}] " if self.source else ""
        return f"{where}{self.args[0]} ({self.url})"


class TransportError(FetchError):
    """The connection failed: refused, reset, DNS, or timed out."""


class DeadlineExceeded(TransportError):
    """The page took longer than the source's ``timeout`` in total (slow drip). Not retried."""


class HTTPStatusError(FetchError):
    """The server answered with a status that is neither 2xx nor 304."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int,
        retry_after: float | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message, url=url, source=source)
        self.status = status
        self.retry_after = retry_after


class TooManyRedirects(FetchError):
    """A redirect loop, or a chain longer than the limit."""


class ResponseTooLarge(FetchError):
    """The body passed the size cap (checked while streaming)."""


class UnsupportedContentType(FetchError):
    """The response is not HTML, XHTML, RSS/Atom or XML."""


class RobotsDisallowed(FetchError):
    """robots.txt forbids this URL for our user agent."""


class ParserCrashed(FetchError):
    """The process parsing the page died (a worker killed, out of memory, or a crash in
    a parser on a hostile page); only this page failed."""


class RenderFailed(FetchError):
    """Headless Chromium could not render the page (``render: browser``): the browser
    crashed or passed its memory cap, or the rendered DOM passed the size cap."""


class BrowserUnavailable(RenderFailed):
    """No Chromium executable: the Debian package is missing or ``NEA_CHROMIUM`` is wrong."""


class UnsafeURL(FetchError):
    """The URL uses a bad scheme or resolves to a private, loopback or link-local address."""


class WorkerCrashed(ScraperError):
    """The process parsing a page died before it answered."""


class DevToolsError(ScraperError):
    """The browser answered a DevTools command with an error, or (``closed``) its pipe
    closed: it exited or crashed. Internal: the browser pool reports ``RenderFailed``."""

    def __init__(self, message: str, *, closed: bool = False) -> None:
        self.closed = closed
        super().__init__(message)


class StorageError(ScraperError):
    """The database failed or refused an operation."""


class AlreadyRunning(StorageError):
    """Another daemon already runs on this SQLite database."""


class DatabaseReplaced(StorageError):
    """The SQLite file was deleted, moved or replaced while the daemon had it open: what
    it would write now would be lost, so it stops instead."""


class NotifyError(ScraperError):
    """One delivery to one channel failed."""

    def __init__(self, message: str, *, channel: str) -> None:
        self.channel = channel
        super().__init__(message)
