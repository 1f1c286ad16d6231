"""The one write path for articles: a batch of extracted articles stored in one
transaction, with a fixed number of Core statements per batch rather than per article.

Per article the store must find its row, decide whether it copies an earlier article
(same text, or nearly the same), insert or update the row, keep a version, index its
near-duplicate keys and write the outbox events that announce it. Done one article at a time
through the ORM that was about nine statements and three flushes each, which made the
store the most expensive stage of a crawl. Here a batch of articles costs: one read of
the rows by URL, one read of exact-text matches, one read of near-duplicate candidates
(by shared index key) and one of their texts, then one multi-row statement per table
written. Every candidate is verified on the two texts (:mod:`scraper.dedup_verify`) before
it is linked, in a worker thread so that the event loop stays free.

Articles in a batch are decided in order, each seeing the ones before it as if they were
already stored: a copy later in the batch points at an original earlier in it. Two writes
of the same URL must not share a batch (the caller splits them).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ClauseElement,
    Integer,
    Table,
    bindparam,
    delete,
    insert,
    select,
    text,
)
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from scraper.dedup import BANDS, KEY_BANDS, matching_bands
from scraper.dedup_verify import Prepared, compare, prepare
from scraper.topics import document
from storage.article_types import ArticleInput, ArticleWrite, SaveResult
from storage.check_plans import PLAN_UPDATE, plan_values
from storage.driver_sql import driver_sql
from storage.events import article_payload, change_summary, new_event, topics_of
from storage.models import ArticleRow, ArticleVersionRow, DeliveryRow, EventRow, SimhashBandRow
from storage.search_repo import body_of, write_index

_ARTICLES = cast(Table, ArticleRow.__table__)
_VERSIONS = cast(Table, ArticleVersionRow.__table__)
_BANDS = cast(Table, SimhashBandRow.__table__)
_EVENTS = cast(Table, EventRow.__table__)
_DELIVERIES = cast(Table, DeliveryRow.__table__)

# Rows read or keys bound per statement: keeps IN lists and parameter counts bounded
# (SQLite allows 32766 parameters; PostgreSQL 32767).
_CHUNK = 400
# Stored holders of one key value that a lookup reads: the most recent ones. A value held
# by more articles than this is the key of a whole family of texts (every weekly notice
# cut from one template shares its frame's keys); an older member is still found through
# its other keys, which a copy of it shares too (its facts, its folded text). Without the
# bound the rows a lookup reads grow with what is stored. Four times the candidates
# verified, so that ranking them by shared keys still has a choice.
_KEY_HOLDERS = 32
# Candidates verified per new text: those sharing the most index keys with it. Copies of
# one story point at one original, so a few suffice; the bound keeps a text that shares
# keys with many stored ones (a weekly notice) from costing a verification each.
_VERIFY = 8


async def write_batch(
    connection: AsyncConnection,
    writes: Sequence[ArticleWrite],
    *,
    now: datetime,
    near_duplicates: bool,
    is_postgres: bool,
) -> list[SaveResult]:
    """Store ``writes`` inside the caller's transaction; one result per write, in order."""
    urls = [w.item.url for w in writes]
    if len(set(urls)) != len(urls):
        raise ValueError("a batch of article writes must not repeat a URL")
    batch = _Batch(connection, writes, now, near_duplicates, is_postgres)
    return await batch.run()


@dataclass
class _Original:
    """A stored article, or one earlier in this batch, that a new text may copy."""

    order: tuple[int, int]  # stored rows by id first, then this batch's in batch order
    root: int | _Pending  # the id duplicates must point at (never another duplicate)
    url: str
    article_id: int | None
    text: str | None = None  # this batch's own text (stored candidates are verified apart)
    fresh: bool = False  # what this batch writes, rather than what was read before it


@dataclass(frozen=True)
class _Updated:
    """An edited copy whose original may be inserted in this batch: resolved at the end."""

    article_id: int
    version: int
    duplicate_of: int | _Pending


@dataclass(frozen=True)
class _Pending:
    """The original of a duplicate that is inserted in the same batch (id not known yet)."""

    index: int


@dataclass
class _Rows:
    """What the batch writes, gathered so that each table takes one statement."""

    versions: list[dict[str, Any]] = field(default_factory=list)
    bands: list[tuple[int, int, int]] = field(default_factory=list)  # _BAND_FIELDS
    stale_bands: list[int] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    plans: list[dict[str, Any]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    # Search index rows: of new articles by batch index, of edited ones by article id.
    search_new: dict[int, str] = field(default_factory=dict)
    search_edited: dict[int, str] = field(default_factory=dict)


class _Batch:
    def __init__(
        self,
        connection: AsyncConnection,
        writes: Sequence[ArticleWrite],
        now: datetime,
        near_duplicates: bool,
        is_postgres: bool,
    ) -> None:
        self.connection = connection
        self.writes = writes
        self.now = now
        self.near_duplicates = near_duplicates
        self.is_postgres = is_postgres
        self.rows = _Rows()
        self.exact: dict[str, list[_Original]] = defaultdict(list)
        # Near copies: verified stored ones by the batch index of the write they copy; and
        # the batch's own articles by index key, for the writes after them.
        self.near_stored: dict[int, list[_Original]] = defaultdict(list)
        self.by_band: dict[tuple[int, int], list[_Original]] = defaultdict(list)
        # Stored articles this batch edits: what was read of their old text is stale.
        self.edited: set[int] = set()
        self.ids: dict[int, int] = {}  # batch index -> id of the row it inserted
        self.stored: dict[str, Row[Any]] = {}  # the rows of this batch's URLs, as read
        self.prepared: dict[int, Prepared] = {}  # batch index -> its text, for verifying
        # Stored copies of the stored articles this batch edits: (copy, its original).
        self.copies: list[tuple[int, int]] = []
        # By URL: the normalized title and text (scraper.topics.document), for topics, and
        # the search index row made of it.
        self.documents: dict[str, tuple[str, str]] = {}

    async def run(self) -> list[SaveResult]:
        stored = await self._stored_rows()
        fresh = [i for i, w in enumerate(self.writes) if w.item.url not in stored]
        if self.is_postgres:
            await self._lock_texts(self.writes[i].item for i in fresh)
        # Edited articles are compared again: an edit may have made a copy an original,
        # or an original a copy of an earlier article.
        recheck = [
            i
            for i, w in enumerate(self.writes)
            if w.item.url in stored and _edited(stored[w.item.url], w.item)
        ]
        self.stored = stored
        # Normalizing is CPU work (about a millisecond per text): in a worker thread.
        changed = [
            w.item
            for w in self.writes
            if w.item.url not in stored or _edited(stored[w.item.url], w.item)
        ]
        if changed:
            self.documents = await asyncio.to_thread(_documents, changed)
        await self._load_originals([i for i in fresh + recheck if _deduplicates(self.writes[i])])
        await self._load_copied([stored[self.writes[i].item.url].id for i in recheck])
        results: dict[int, SaveResult | _Updated] = {}
        inserts: dict[int, dict[str, Any]] = {}
        for index, write in enumerate(self.writes):
            row = stored.get(write.item.url)
            if row is None:
                inserts[index] = self._new_row(index, write)
            else:
                results[index] = self._existing(index, write, row)
        await self._insert_articles(inserts)
        for index in inserts:
            results[index] = self._announce_new(index, inserts[index])
        await self._flush()
        return [self._resolved(results[i]) for i in range(len(self.writes))]

    def _resolved(self, result: SaveResult | _Updated) -> SaveResult:
        if isinstance(result, SaveResult):
            return result
        original = self._id_of(result.duplicate_of)
        return SaveResult("updated", result.article_id, result.version, original)

    def _id_of(self, reference: int | _Pending | None) -> int | None:
        return self.ids[reference.index] if isinstance(reference, _Pending) else reference

    # Reads -----------------------------------------------------------------------------

    async def _stored_rows(self) -> dict[str, Row[Any]]:
        columns = (
            _ARTICLES.c.id, _ARTICLES.c.url, _ARTICLES.c.title, _ARTICLES.c.text,
            _ARTICLES.c.content_hash, _ARTICLES.c.duplicate_of, _ARTICLES.c.version,
        )  # fmt: skip
        urls = [w.item.url for w in self.writes]
        found: dict[str, Row[Any]] = {}
        for start in range(0, len(urls), _CHUNK):
            query = (
                select(*columns)
                .where(_ARTICLES.c.url.in_(urls[start : start + _CHUNK]))
                .order_by(_ARTICLES.c.id)  # row locks in one order across workers
            )
            if self.is_postgres:
                query = query.with_for_update()
            found.update({row.url: row for row in await self.connection.execute(query)})
        return found

    async def _lock_texts(self, items: Iterable[ArticleInput]) -> None:
        """Serialize workers storing the same text at the same moment, so that exactly one
        stores the original and the others see it and become duplicates. Keys are taken in
        sorted order, so two batches never wait for each other in a circle."""
        keys = sorted({_lock_key(item.content_hash) for item in items if item.text})
        if not keys:
            return
        statement = text("SELECT pg_advisory_xact_lock(k) FROM unnest(:keys) AS k").bindparams(
            bindparam("keys", type_=ARRAY(BigInteger))
        )
        await self.connection.execute(statement, {"keys": keys})

    async def _load_copied(self, ids: list[int]) -> None:
        """The stored copies of the stored articles ``ids``."""
        for start in range(0, len(ids), _CHUNK):
            query = select(_ARTICLES.c.id, _ARTICLES.c.duplicate_of).where(
                _ARTICLES.c.duplicate_of.in_(ids[start : start + _CHUNK])
            )
            self.copies += [
                (row.id, row.duplicate_of) for row in await self.connection.execute(query)
            ]

    async def _load_originals(self, indexes: list[int]) -> None:
        """Stored articles whose text equals, or nearly equals, that of the writes at
        ``indexes``. Near copies are found through the index keys; the few stored texts
        that share the most keys with a write are verified against it, and only those
        that pass count. (Four phases, each a method: ``benchmarks/dedup.py`` times
        them apart.)"""
        items = {index: self.writes[index].item for index in indexes}
        await self._exact_originals(items)
        if not self.near_duplicates:
            return
        chosen = await self._candidates(items)
        rows = await self._candidate_rows(sorted({i for ids in chosen.values() for i in ids}))
        # In id order, each write's candidates that it may link to: the first that passes
        # verification is its original, and the later ones need not be verified. (A row
        # this batch edits counts only if the write comes before the edit: it is kept,
        # and the search goes on.)
        edited = {
            read.id for w in self.writes if (read := self.stored.get(w.item.url)) is not None
            and _edited(read, w.item)
        }  # fmt: skip
        work = {
            index: (items[index].text, [
                rows[i] for i in sorted(ids_)
                if i in rows and self._may_copy(items[index], rows[i])
            ])
            for index, ids_ in chosen.items()
        }  # fmt: skip
        found = await self._verify(work, edited)
        for index, copied in found.items():
            for hit in copied:
                root = hit.duplicate_of or hit.id
                self.near_stored[index].append(_Original((0, hit.id), root, hit.url, hit.id))

    async def _exact_originals(self, items: dict[int, ArticleInput]) -> None:
        """The stored articles with the same text (content hash) as any of ``items``."""
        hashes = sorted({item.content_hash for item in items.values()})
        for start in range(0, len(hashes), _CHUNK):
            exact = await self.connection.execute(
                select(
                    _ARTICLES.c.id,
                    _ARTICLES.c.duplicate_of,
                    _ARTICLES.c.url,
                    _ARTICLES.c.content_hash,
                )
                .where(_ARTICLES.c.content_hash.in_(hashes[start : start + _CHUNK]))
                .order_by(_ARTICLES.c.id)
            )
            for row in exact:
                original = _Original((0, row.id), row.duplicate_of or row.id, row.url, row.id)
                self.exact[row.content_hash].append(original)

    async def _candidates(self, items: dict[int, ArticleInput]) -> dict[int, list[int]]:
        """By batch index: the ids of the (at most :data:`_VERIFY`) stored articles that
        share the most index keys with it.

        Every key of the batch is looked up in one statement, which counts the keys each
        stored article shares with each text: a few rows per text come back. Ranked by
        the rare keys shared first: a key that every notice cut from one template holds
        says little about which of them a text copies; then by all keys shared (a story
        copied by many sites: every key has many holders, the most recent copies are
        found, and they point at its original)."""
        hits: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
        # (A key's text and band are its place in the list: only texts with the full
        # set of keys, which is every text with any, are looked up.)
        keyed = [i for i, item in items.items() if len(item.simhash_bands) == KEY_BANDS]
        if keyed:
            values = [value for index in keyed for value in items[index].simhash_bands]
            for count in await self._shared_keys(values):
                hits[keyed[count.text]][count.article_id] = (-count.rare, -count.shared)
        return {
            index: sorted(by_id, key=lambda i: (*by_id[i], i))[:_VERIFY]
            for index, by_id in hits.items()
        }

    async def _candidate_rows(self, ids: list[int]) -> dict[int, Row[Any]]:
        """The stored rows (id, duplicate_of, url, text) of the candidates ``ids``."""
        rows: dict[int, Row[Any]] = {}
        for start in range(0, len(ids), _CHUNK):
            query = select(
                _ARTICLES.c.id, _ARTICLES.c.duplicate_of, _ARTICLES.c.url, _ARTICLES.c.text
            ).where(_ARTICLES.c.id.in_(ids[start : start + _CHUNK]))
            rows.update({row.id: row for row in await self.connection.execute(query)})
        return rows

    async def _verify(
        self, work: dict[int, tuple[str, list[Row[Any]]]], edited: set[int]
    ) -> dict[int, list[Row[Any]]]:
        """:func:`_first_copied` in a worker thread: the event loop stays free."""
        return await asyncio.to_thread(_first_copied, work, edited)

    def _may_copy(self, item: ArticleInput, candidate: Row[Any]) -> bool:
        """What :meth:`_find_original` would accept, known before deciding: not itself,
        and for an edited row not its own copies, nor (for an original) a later article."""
        if candidate.url == item.url:
            return False
        row = self.stored.get(item.url)
        if row is None:
            return True
        if candidate.duplicate_of == row.id:
            return False
        return row.duplicate_of is not None or candidate.id < row.id

    async def _shared_keys(self, values: list[int]) -> Sequence[Row[Any]]:
        """(text, article_id, shared, rare): how many of the keys of each text a stored
        article holds, ``values`` being the :data:`KEY_BANDS` keys of each text in band
        order, text after text (``text`` counts from 0). Each key is looked up in its band
        and its twin (:func:`scraper.dedup.matching_bands`), reading at most the
        :data:`_KEY_HOLDERS` most recent holders of its value; ``rare``, how many of the
        shared keys have fewer holders than that. One statement for any number of keys,
        bound as one array (PostgreSQL) or one JSON list (SQLite): a key's text and band
        are its position in the list, so nothing else is sent or decoded. Each key is an
        index range read from the value's newest entry back, and the index holds the
        band: the table is not read."""
        bound: dict[str, Any] = {
            "holders": _KEY_HOLDERS,
            "per_text": KEY_BANDS,
            "bands": BANDS,
            "folded": 2 * BANDS,
        }
        # The twin of band b: the same band over the other part (whole text or lede);
        # the folded-text band has none (scraper.dedup.matching_bands, in SQL).
        twin = "CASE WHEN p.band = :folded THEN p.band ELSE (p.band + :bands) % :folded END"
        if self.is_postgres:
            statement = text(
                "SELECT slot / :per_text AS text, article_id, count(*) AS shared,"
                " count(*) FILTER (WHERE holders < :holders) AS rare FROM ("
                " SELECT p.slot, k.article_id, count(*) OVER (PARTITION BY p.slot) AS holders"
                " FROM (SELECT v.value, v.slot - 1 AS slot, (v.slot - 1) % :per_text AS band"
                "  FROM unnest(:values) WITH ORDINALITY AS v(value, slot)) AS p"
                " CROSS JOIN LATERAL ("
                "  SELECT s.band, s.article_id FROM simhash_bands AS s WHERE s.value = p.value"
                "  ORDER BY s.article_id DESC LIMIT :holders) AS k"
                f" WHERE k.band IN (p.band, {twin})) AS m "
                "GROUP BY slot / :per_text, article_id"
            ).bindparams(bindparam("values", type_=ARRAY(Integer)))
            bound["values"] = values
        else:
            # No LATERAL in SQLite: the oldest id to read is found first (a seek and at
            # most _KEY_HOLDERS steps back in the index), then the range from it.
            statement = text(
                "WITH p(slot, band, value) AS ("
                " SELECT j.key, j.key % :per_text, j.value FROM json_each(:values) AS j) "
                "SELECT slot / :per_text AS text, article_id, count(*) AS shared,"
                " sum(holders < :holders) AS rare FROM ("
                " SELECT p.slot, k.article_id, count(*) OVER (PARTITION BY p.slot) AS holders"
                " FROM p JOIN simhash_bands AS k ON k.value = p.value AND k.article_id >="
                "  coalesce((SELECT s.article_id FROM simhash_bands AS s"
                "  WHERE s.value = p.value ORDER BY s.article_id DESC LIMIT 1 OFFSET :skip), 0)"
                f" WHERE k.band IN (p.band, {twin})) AS m "
                "GROUP BY slot / :per_text, article_id"
            )
            bound["values"] = json.dumps(values)
            bound["skip"] = _KEY_HOLDERS - 1
        return (await self.connection.execute(statement, bound)).all()

    def _find_original(
        self, index: int, item: ArticleInput, exclude: int | None = None, before: int | None = None
    ) -> int | _Pending | None:
        """The earliest article with the same text, else with nearly the same text (a
        verified candidate). ``exclude`` is the article being edited: neither it nor its
        own copies can be its original; ``before``, its id when it was an original: only
        earlier articles can then make it a copy."""

        def other(original: _Original) -> bool:
            if original.url == item.url:
                return False
            if not original.fresh and original.article_id in self.edited:
                return False
            if before is not None and original.order >= (0, before):
                return False
            return exclude is None or exclude not in (original.article_id, original.root)

        same = [o for o in self.exact.get(item.content_hash, ()) if other(o)]
        if same:
            return min(same, key=lambda o: o.order).root
        if not self.near_duplicates or not item.text:
            return None
        near = [o for o in self.near_stored.get(index, ()) if other(o)]
        offered = {
            id(o): o
            for band, value in enumerate(item.simhash_bands)
            for match in matching_bands(band)
            for o in self.by_band.get((match, value), ())
            if other(o)
        }
        if offered:
            mine = self._prepared(index)
            near += [
                o
                for o in offered.values()
                if o.text is not None and compare(mine, prepare(o.text)).linked
            ]
        return min(near, key=lambda o: o.order).root if near else None

    def _has_copies(self, article_id: int) -> bool:
        """Whether some article points at this one, as stored (less what this batch has
        edited) or as written by this batch so far."""
        if any(o == article_id and c not in self.edited for c, o in self.copies):
            return True
        return any(
            o.fresh and o.root == article_id and o.article_id != article_id
            for originals in self.exact.values()
            for o in originals
        )

    def _prepared(self, index: int) -> Prepared:
        if index not in self.prepared:
            self.prepared[index] = prepare(self.writes[index].item.text)
        return self.prepared[index]

    def _remember(
        self, index: int, item: ArticleInput, root: int | _Pending, article_id: int | None
    ) -> None:
        """Later articles of the batch may copy this one."""
        # An edited row keeps its place among the stored ones (by id); a new one comes
        # after all of them, in batch order.
        order = (0, article_id) if article_id is not None else (1, index)
        original = _Original(order, root, item.url, article_id, item.text, fresh=True)
        self.exact[item.content_hash].append(original)
        for pair in enumerate(item.simhash_bands):
            self.by_band[pair].append(original)

    # Decisions -------------------------------------------------------------------------

    def _new_row(self, index: int, write: ArticleWrite) -> dict[str, Any]:
        item = write.item
        duplicate_of: int | _Pending | None = None
        if _deduplicates(write):
            duplicate_of = self._find_original(index, item)
        self._remember(
            index, item, duplicate_of if duplicate_of is not None else _Pending(index), None
        )
        row = {
            "source_id": write.source_id,
            "url": item.url,
            "version": 1,
            "duplicate_of": duplicate_of,
            "first_seen_at": self.now,
            "updated_at": self.now,
            "check_count": 1,
            "last_checked_at": self.now,
            "next_check_at": write.plan.next_check_at,
            "etag": write.plan.etag,
            "last_modified": write.plan.last_modified,
            "listed_updated_at": write.plan.listed_updated_at,
        }
        row.update(_content(item))
        return row

    def _existing(self, index: int, write: ArticleWrite, row: Row[Any]) -> SaveResult | _Updated:
        item = write.item
        self.rows.plans.append(plan_values(row.id, write.plan, self.now))
        if row.content_hash == item.content_hash and row.title == item.title:
            return SaveResult("unchanged", row.id, row.version, row.duplicate_of)
        changes = change_summary(row.text, item.text, row.title, item.title)
        self.edited.add(row.id)
        duplicate_of: int | _Pending | None = row.duplicate_of
        if _deduplicates(write) and not self._has_copies(row.id):
            # Checked again, in this transaction: a copy may have become an original, an
            # original a copy of an earlier article (never of a later one). An original
            # with copies stays one: they point at it, and at no duplicate.
            before = row.id if row.duplicate_of is None else None
            duplicate_of = self._find_original(index, item, exclude=row.id, before=before)
            if duplicate_of is None and row.duplicate_of is not None:
                changes["previously_duplicate_of"] = row.duplicate_of
        self._remember(index, item, row.id if duplicate_of is None else duplicate_of, row.id)
        version = row.version + 1
        self.rows.edits.append(
            {
                "_id": row.id,
                "_version": version,
                "_duplicate_of": duplicate_of,
                "_updated_at": self.now,
            }
            | {f"_{key}": value for key, value in _content(item).items()}
        )
        self._keep_version(row.id, version, item)
        self.rows.search_edited[row.id] = self._document(item)[1]
        self.rows.stale_bands.append(row.id)
        self._index_bands(row.id, item)
        if duplicate_of is not None and row.duplicate_of is None:
            # An original that became a copy of an earlier article: announced as one.
            root = self._id_of(duplicate_of)
            assert root is not None  # an earlier, stored article: never pending
            extra = {"duplicate_of": root}
            event_id = self._event(write, "article.duplicate", row.id, version, extra)
            return SaveResult("duplicate", row.id, version, root, (event_id,))
        if duplicate_of is not None:  # still a copy (its original may be new in this batch)
            return _Updated(row.id, version, duplicate_of)
        event_type = "page.changed" if write.page_watch else "article.updated"
        event_id = self._event(write, event_type, row.id, version, {"changes": changes})
        return SaveResult("updated", row.id, version, None, (event_id,))

    def _announce_new(self, index: int, row: dict[str, Any]) -> SaveResult:
        write, article_id = self.writes[index], self.ids[index]
        duplicate_of = row["duplicate_of"]
        self._keep_version(article_id, 1, write.item)
        self.rows.search_new[index] = self._document(write.item)[1]
        self._index_bands(article_id, write.item)
        if write.page_watch:  # the first capture of a watched page is a baseline, not a change
            return SaveResult("new", article_id, 1)
        if duplicate_of is None:
            event_id = self._event(write, "article.new", article_id, 1, None)
            return SaveResult("new", article_id, 1, None, (event_id,))
        extra = {"duplicate_of": duplicate_of}
        event_id = self._event(write, "article.duplicate", article_id, 1, extra)
        return SaveResult("duplicate", article_id, 1, duplicate_of, (event_id,))

    # Writes ----------------------------------------------------------------------------

    async def _insert_articles(self, inserts: dict[int, dict[str, Any]]) -> None:
        """Insert the new rows and note their ids. Originals go first, so that copies of
        them in the same batch can point at their ids."""
        waves = (
            [i for i, row in inserts.items() if not isinstance(row["duplicate_of"], _Pending)],
            [i for i, row in inserts.items() if isinstance(row["duplicate_of"], _Pending)],
        )
        # Rows come back in any order (SQLite cannot promise insertion order in a multi-row
        # RETURNING), and URLs are unique in a batch: match them up by URL.
        statement = insert(_ARTICLES).returning(_ARTICLES.c.id, _ARTICLES.c.url)
        for wave in waves:
            for index in wave:
                inserts[index]["duplicate_of"] = self._id_of(inserts[index]["duplicate_of"])
            for start in range(0, len(wave), _CHUNK):
                chunk = {inserts[i]["url"]: i for i in wave[start : start + _CHUNK]}
                result = await self.connection.execute(
                    statement, [inserts[i] for i in chunk.values()]
                )
                self.ids.update({chunk[row.url]: row.id for row in result})

    async def _flush(self) -> None:
        rows, connection = self.rows, self.connection
        for edit_values in rows.edits:
            edit_values["_duplicate_of"] = self._id_of(edit_values["_duplicate_of"])
        if rows.edits:
            edit = (
                sql_update(_ARTICLES)
                .where(_ARTICLES.c.id == bindparam("_id"))
                .values(
                    version=bindparam("_version"), duplicate_of=bindparam("_duplicate_of"),
                    updated_at=bindparam("_updated_at"),
                    **{key: bindparam(f"_{key}") for key in _CONTENT_COLUMNS},
                )
            )  # fmt: skip
            await connection.execute(edit, rows.edits)
        if rows.plans:
            await connection.execute(PLAN_UPDATE, rows.plans)
        for start in range(0, len(rows.stale_bands), _CHUNK):
            stale = rows.stale_bands[start : start + _CHUNK]
            await connection.execute(delete(_BANDS).where(_BANDS.c.article_id.in_(stale)))
        if rows.bands:
            # 28 rows per article: bound as plain tuples, without SQLAlchemy's per-row
            # parameter processing (about a third of the write path's CPU as dicts).
            insert_sql = driver_sql(connection.dialect, "band-insert", _band_insert)
            await connection.exec_driver_sql(
                insert_sql.sql, insert_sql.rows_of(_BAND_FIELDS, rows.bands)
            )
        search = {self.ids[index]: body for index, body in rows.search_new.items()}
        search.update(rows.search_edited)
        await write_index(connection, search, replace=rows.search_edited)
        for table, new_rows in (
            (_VERSIONS, rows.versions),
            (_EVENTS, rows.events),
            (_DELIVERIES, rows.deliveries),
        ):
            if new_rows:
                await connection.execute(insert(table), new_rows)

    def _keep_version(self, article_id: int, version: int, item: ArticleInput) -> None:
        self.rows.versions.append(
            {"article_id": article_id, "version": version, "title": item.title,
             "text": item.text, "content_hash": item.content_hash, "fetched_at": self.now}
        )  # fmt: skip

    def _document(self, item: ArticleInput) -> tuple[str, str]:
        """The article's normalized title and text, and its search index row."""
        if item.url not in self.documents:
            self.documents.update(_documents([item]))
        return self.documents[item.url]

    def _index_bands(self, article_id: int, item: ArticleInput) -> None:
        self.rows.bands.extend(
            (article_id, band, value) for band, value in enumerate(item.simhash_bands)
        )

    def _event(
        self,
        write: ArticleWrite,
        event_type: str,
        article_id: int,
        version: int,
        extra: dict[str, Any] | None,
    ) -> str:
        item = write.item
        article = article_payload(
            id=article_id, url=item.url, title=item.title, published_at=item.published_at,
            published_date=item.published_date, language=item.language,
            content_hash=item.content_hash, version=version, text=item.text,
        )  # fmt: skip
        event, deliveries = new_event(
            event_type=event_type, occurred_at=self.now, source_id=write.source_id,
            source_name=write.source_name, router=write.router, article_id=article_id,
            article=article, extra=extra, topics=topics_of(write.router, self._document(item)[0]),
        )  # fmt: skip
        self.rows.events.append(event)
        self.rows.deliveries.extend(deliveries)
        return str(event["id"])


_CONTENT_COLUMNS = (
    "title", "text", "content_hash", "canonical_url", "author", "published_at",
    "published_date", "published_time", "published_utc_offset", "language", "simhash",
)  # fmt: skip


def _content(item: ArticleInput) -> dict[str, Any]:
    return {
        "title": item.title,
        "text": item.text,
        "content_hash": item.content_hash,
        "canonical_url": item.canonical_url,
        "author": item.author,
        "published_at": item.published_at,
        "published_date": item.published_date,
        "published_time": item.published_time,
        "published_utc_offset": item.published_utc_offset,
        "language": item.language,
        "simhash": item.simhash,
    }


def _deduplicates(write: ArticleWrite) -> bool:
    return not write.page_watch and bool(write.item.text)


def _edited(row: Row[Any], item: ArticleInput) -> bool:
    return bool(row.content_hash != item.content_hash or row.title != item.title)


def _first_copied(
    work: dict[int, tuple[str, list[Row[Any]]]], edited: set[int]
) -> dict[int, list[Row[Any]]]:
    """For each write (batch index: its text, candidate rows in id order), the rows its
    text copies, up to the first that this batch does not edit. CPU work (shingles,
    alignment): run in a worker thread."""
    found: dict[int, list[Row[Any]]] = {}
    for index, (body, candidates) in work.items():
        mine = prepare(body)
        for row in candidates:
            if compare(mine, prepare(row.text)).linked:
                found.setdefault(index, []).append(row)
                if row.id not in edited:
                    break
    return found


def _documents(items: Iterable[ArticleInput]) -> dict[str, tuple[str, str]]:
    """By URL: the normalized title and text, and the search index row."""
    found = {}
    for item in items:
        normalized = document(item.title, item.text)
        found[item.url] = (normalized, body_of(normalized))
    return found


def _lock_key(content_hash: str) -> int:
    return int.from_bytes(hashlib.sha256(content_hash.encode()).digest()[:8], "big", signed=True)


_BAND_FIELDS = ("article_id", "band", "value")


def _band_insert() -> ClauseElement:
    return insert(_BANDS).values({name: bindparam(name) for name in _BAND_FIELDS})
