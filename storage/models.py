"""The database schema. Tables and columns named in docs/reference/database.md are a
contract with the downstream tools that read this database directly; changing them needs
a migration and a note on that page. Extra columns serve the daemon itself."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import JSONDocument, UTCDateTime, utcnow

# Deterministic constraint names, so migrations are reproducible on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SourceRow(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    tags: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[str | None] = mapped_column(String(10))  # "ok" | "failed"
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # True once source.failing was announced, until source.recovered is.
    failing: Mapped[bool] = mapped_column(Boolean, default=False)
    # Scheduling and the multi-worker lease (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL).
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # host:port of ``url``: the claim leaves out hosts whose polls fill their limit.
    host: Mapped[str | None] = mapped_column(String(300))
    # Self-diagnosis: what the last successful polls yielded.
    last_links_found: Mapped[int | None] = mapped_column(Integer)
    # The ``recheck:`` offsets (seconds) the stored articles' next_check_at were planned
    # with; a different schedule in the config replans them (storage/overrides_repo.py).
    recheck_after: Mapped[list[float] | None] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ArticleRow(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    canonical_url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(Text)
    # The UTC instant, when the page gives a time and its offset (else NULL); the
    # publisher's own calendar day, local time and offset (minutes east of UTC) beside it.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_date: Mapped[date | None] = mapped_column(Date)
    published_time: Mapped[time | None] = mapped_column(Time)
    published_utc_offset: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    # 64-bit simhash stored as a signed BIGINT (two's complement of the unsigned value).
    simhash: Mapped[int | None] = mapped_column(BigInteger)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Re-check schedule (decaying) and the article URL's HTTP validators.
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_count: Mapped[int] = mapped_column(Integer, default=0)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    # Latest "changed at" a feed entry or sitemap <lastmod> announced for this URL.
    listed_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_articles_source_next_check", "source_id", "next_check_at"),
        # One source's newest first: its feed and API pages (migration 0013).
        Index("ix_articles_source_first_seen", "source_id", "first_seen_at", "id"),
    )


class ArticleVersionRow(Base):
    __tablename__ = "article_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    # Indexed for retention (storage/retention.py): old versions are found by age.
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (UniqueConstraint("article_id", "version"),)


class SimhashBandRow(Base):
    """One row per article and near-duplicate index key (scraper.dedup.lsh_keys): articles
    sharing a value in matching bands are candidates, verified on their texts before any
    link. Indexed by value, then article id (the most recent holders of a key first), with
    the band: the store's lookup reads the index alone."""

    __tablename__ = "simhash_bands"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_simhash_bands_value", "value", "article_id", "band"),)


class EventRow(Base):
    """The outbox: written in the same transaction as the change it announces."""

    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4, the idempotency key
    type: Mapped[str] = mapped_column(String(40))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class DeliveryRow(Base):
    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("event_id", "channel"),
        Index("ix_deliveries_status_next_attempt", "status", "next_attempt_at"),
    )


class FetchStateRow(Base):
    """HTTP validators of listing pages, feeds and sitemaps, for conditional GET."""

    __tablename__ = "fetch_state"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RobotsRow(Base):
    """robots.txt files as last fetched, so that a new process (``run --once`` from cron,
    a restarted daemon) does not fetch every site's robots.txt again within its cache
    lifetime. ``body`` is None for a 4xx answer: no rules, everything allowed."""

    __tablename__ = "robots_txt"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SourceUrlParamRow(Base):
    """Query parameters the poller found to be context, not identity, for one source:
    URLs that differ only in them gave the same content (``evidence`` counts distinct
    contents that agreed), or the page's canonical URL leaves them out (``via``
    "canonical"). See docs/explanation/article-identity.md."""

    __tablename__ = "source_url_params"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200), primary_key=True)  # lower-case
    via: Mapped[str] = mapped_column(String(20))  # "content" | "canonical"
    evidence: Mapped[int] = mapped_column(Integer, default=1)
    last_hash: Mapped[str | None] = mapped_column(String(64))
    example_url: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
