"""The pydantic models of ``sources.yaml`` as written: strict, frozen, no unknown keys.

They only validate; ``loader.py`` turns a valid ``ConfigModel`` into the dataclasses of
``types.py``. Each custom validator raises ``ValueError`` with an operator-facing message.
"""

from __future__ import annotations

import codecs
import itertools
import re
import string
import warnings
from collections.abc import Callable
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator

from scraper.config.durations import parse_duration, parse_schedule, parse_size
from scraper.config.types import EventType, Schedule, SourceKind
from scraper.topics import normalize

NAME_PATTERN = re.compile(r"[a-z0-9-]+")
ENV_NAME_PATTERN = re.compile(r"[A-Z_][A-Z0-9_]*")
TAG_PATTERN = re.compile(r"[\w.-]+")
LANGUAGE_PATTERN = re.compile(r"[a-z]{2}")
MAX_DELAY = 3600.0
MAX_TIMEOUT = 3600.0
MAX_PAGE_BYTES = 1024**3
MAX_LINKS_PER_PAGE = 100_000
# A query parameter name as it appears before "=": no separators, no spaces.
PARAM_NAME_PATTERN = re.compile(r"[^\s&=#?]+")


def _format_seconds(seconds: float) -> str:
    return f"{seconds:g}s"


# --- scalar validators -------------------------------------------------------------------


def _duration(*, positive: bool, maximum: float | None = None) -> Callable[[object], float]:
    def validate(value: object) -> float:
        seconds = parse_duration(value)
        if positive and seconds <= 0:
            raise ValueError("must be greater than zero")
        if maximum is not None and seconds > maximum:
            raise ValueError(f"must be at most {_format_seconds(maximum)}")
        return seconds

    return validate


def _page_bytes(value: object) -> int:
    size = parse_size(value)
    if not 1 <= size <= MAX_PAGE_BYTES:
        raise ValueError("must be between 1 byte and 1GB")
    return size


def _increasing(values: list[float]) -> list[float]:
    if any(later <= earlier for earlier, later in itertools.pairwise(values)):
        raise ValueError("re-check delays must be increasing, e.g. [1h, 6h, 1d, 3d, 7d]")
    return values


def _name(value: str) -> str:
    if not NAME_PATTERN.fullmatch(value):
        raise ValueError(
            f"invalid name {value!r}: use only lowercase letters, digits and '-' "
            f"(e.g. {_suggest_name(value)!r})"
        )
    return value


def _suggest_name(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "my-source"


def _http_url(value: str) -> str:
    problem = _http_url_problem(value)
    if problem:
        raise ValueError(f"invalid URL {value!r}: {problem}")
    return value


def _http_url_problem(value: str) -> str | None:
    if value != value.strip() or any(c.isspace() for c in value):
        return "URLs may not contain spaces (percent-encode them as %20)"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("http", "https"):
        return "the scheme must be http or https"
    if not parts.hostname:
        return "the URL has no host"
    if parts.username is not None or parts.password is not None:
        return "credentials do not belong in the URL"
    return None


def _apprise_url(value: str) -> str:
    scheme, sep, rest = value.partition("://")
    if not sep or not scheme or not rest or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        raise ValueError(f"invalid Apprise URL {value!r}: expected scheme://…, e.g. ntfy://topic")
    return value


def _language(value: str) -> str:
    if not LANGUAGE_PATTERN.fullmatch(value):
        raise ValueError(
            f"invalid language {value!r}: use a two-letter ISO 639-1 code such as "
            "ko, zh, ja, ru, mn or en"
        )
    return value


def _encoding(value: str) -> str:
    try:
        info = codecs.lookup(value)
    except LookupError:
        raise ValueError(
            f"unknown encoding {value!r} (e.g. utf-8, euc-kr, gb18030, shift_jis)"
        ) from None
    if not getattr(info, "_is_text_encoding", True):
        raise ValueError(f"{value!r} is not a text encoding")
    return value


def _regex(value: str) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
    return value


def _css_selector(value: str) -> str:
    if not value.strip():
        raise ValueError("a CSS selector may not be empty")
    # Loaded here, not at the top: a config without selectors (``scraper check``) should
    # not pay for the HTML parser.
    from selectolax.lexbor import LexborHTMLParser

    try:
        LexborHTMLParser("<p></p>").css(value)
    except Exception:  # selectolax raises its own error type for unparsable selectors
        raise ValueError(f"invalid CSS selector {value!r}") from None
    return value


def _param_name(value: str) -> str:
    if not PARAM_NAME_PATTERN.fullmatch(value):
        raise ValueError(
            f"invalid query parameter name {value!r}: write the name alone, as it appears "
            "before '=' in the URL (e.g. pageNo), without '&', '=', '?', '#' or spaces"
        )
    return value


def _user_agent(value: str) -> str:
    if not value.strip() or not value.isprintable():
        raise ValueError("a user agent must be non-empty printable text on one line")
    return value


def _tag(value: str) -> str:
    if not TAG_PATTERN.fullmatch(value):
        raise ValueError(f"invalid tag {value!r}: use letters, digits, '-', '_' or '.'")
    return value


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("may not be empty")
    return value


def _term(value: str) -> str:
    if not normalize(value):
        raise ValueError("a topic term may not be empty (nor only spaces)")
    return value


def _template(value: str) -> str:
    _non_empty(value)
    try:
        list(string.Formatter().parse(value))
    except ValueError as exc:
        raise ValueError(
            f"invalid template: {exc} (write a literal brace as {{{{ or }}}})"
        ) from None
    return value


def _env_name(value: str) -> str:
    # The value is never echoed back: if it is not a name, it may be the secret itself.
    if not ENV_NAME_PATTERN.fullmatch(value) or _looks_like_secret(value):
        raise ValueError(
            "secret_env must be the NAME of an environment variable that holds the secret, "
            "in upper case (e.g. NEA_WEBHOOK_SECRET), not the secret itself"
        )
    return value


def _looks_like_secret(value: str) -> bool:
    """An upper-case token can still be a key: long, digits in it, no word breaks."""
    return len(value) >= 20 and "_" not in value and any(c.isdigit() for c in value)


# --- field types ---------------------------------------------------------------------------

Interval = Annotated[Schedule, PlainValidator(parse_schedule)]
Timeout = Annotated[float, PlainValidator(_duration(positive=True, maximum=MAX_TIMEOUT))]
Delay = Annotated[float, PlainValidator(_duration(positive=False, maximum=MAX_DELAY))]
PositiveDuration = Annotated[float, PlainValidator(_duration(positive=True))]
PageBytes = Annotated[int, PlainValidator(_page_bytes)]
Recheck = Annotated[list[PositiveDuration], AfterValidator(_increasing)]
Name = Annotated[str, AfterValidator(_name)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
AppriseUrl = Annotated[str, AfterValidator(_apprise_url)]
Language = Annotated[str, AfterValidator(_language)]
Encoding = Annotated[str, AfterValidator(_encoding)]
Regex = Annotated[str, AfterValidator(_regex)]
CssSelector = Annotated[str, AfterValidator(_css_selector)]
UserAgent = Annotated[str, AfterValidator(_user_agent)]
Tag = Annotated[str, AfterValidator(_tag)]
NonEmpty = Annotated[str, AfterValidator(_non_empty)]
Term = Annotated[str, AfterValidator(_term)]
Template = Annotated[str, AfterValidator(_template)]
EnvName = Annotated[str, AfterValidator(_env_name)]
Concurrency = Annotated[int, Field(ge=1, le=64)]
ArticlesPerRun = Annotated[int, Field(ge=1, le=10_000)]
Attempts = Annotated[int, Field(ge=1, le=100)]
LinksPerPage = Annotated[int, Field(ge=1, le=MAX_LINKS_PER_PAGE)]
ParamName = Annotated[str, AfterValidator(_param_name)]


# --- models --------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class FetchSettings(_Model):
    """Keys allowed both in ``defaults`` and in each source; ``None`` means "not set"."""

    interval: Interval | None = None
    timeout: Timeout | None = None
    user_agent: UserAgent | None = None
    respect_robots: bool | None = None
    per_host_concurrency: Concurrency | None = None
    per_host_delay: Delay | None = None
    max_new_articles_per_run: ArticlesPerRun | None = None
    max_page_bytes: PageBytes | None = None
    recheck: Recheck | None = None
    max_links_per_page: LinksPerPage | None = None


class DefaultsModel(FetchSettings):
    pass


class SourceModel(FetchSettings):
    name: Name
    url: HttpUrl
    kind: SourceKind = "auto"
    language: Language | None = None
    encoding: Encoding | None = None
    follow: list[Regex] = []
    ignore: list[Regex] = []
    keep_params: list[ParamName] = []
    drop_params: list[ParamName] = []
    link_selector: CssSelector | None = None
    content_selector: CssSelector | None = None
    remove_selectors: list[CssSelector] = []
    ignore_text: list[Regex] = []
    tags: list[Tag] = []
    enabled: bool = True
    render: Literal["http", "browser"] = "http"


class _ChannelModel(_Model):
    name: Name | None = None
    events: Annotated[list[EventType], Field(min_length=1)] | None = None
    sources: list[str] = []
    tags: list[str] = []
    topics: list[str] = []
    timeout: Timeout | None = None
    max_attempts: Attempts | None = None


class WebhookModel(_ChannelModel):
    type: Literal["webhook"]
    url: HttpUrl
    secret_env: EnvName | None = None


class AppriseModel(_ChannelModel):
    type: Literal["apprise"]
    url: AppriseUrl
    template: Template | None = None
    digest: PositiveDuration | None = None


class JsonlModel(_ChannelModel):
    type: Literal["jsonl"]
    path: NonEmpty


class PostgresModel(_ChannelModel):
    type: Literal["postgres"]


AnyChannelModel = WebhookModel | AppriseModel | JsonlModel | PostgresModel
ChannelModel = Annotated[AnyChannelModel, Field(discriminator="type")]
CHANNEL_MODELS: dict[str, type[_ChannelModel]] = {
    "webhook": WebhookModel,
    "apprise": AppriseModel,
    "jsonl": JsonlModel,
    "postgres": PostgresModel,
}


class TopicModel(_Model):
    name: Name
    terms: Annotated[list[Term], Field(min_length=1)]


class ConfigModel(_Model):
    defaults: DefaultsModel | None = None
    notifications: list[ChannelModel] | None = None
    sources: list[SourceModel] | None = None
    topics: list[TopicModel] | None = None


def keys_of(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(model.model_fields)
