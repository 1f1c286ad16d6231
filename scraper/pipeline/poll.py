"""One poll of one source: read its listing pages, feeds or sitemaps, fetch the articles
that are new or due for a re-check, store what changed, record the outcome.

Validators of a listing are saved only when every new link it showed was handled: if an
article fetch failed for a passing reason, the next poll must see the listing again rather
than a 304 that would hide the missed article for ever."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from scraper.config.types import Source
from scraper.discover import discover, looks_scripted
from scraper.discover.types import Discovery, Link
from scraper.errors import (
    FetchError,
    HTTPStatusError,
    ParserCrashed,
    UnsupportedContentType,
    WorkerCrashed,
)
from scraper.fetch import PageFetcher, Validators
from scraper.fetch.types import Page
from scraper.identity import IdentityRules, canonical_context, differing_params
from scraper.pipeline.articles import Extracted, changed_at, extract_page, is_later
from scraper.pipeline.cpu import CpuPool
from scraper.pipeline.schedule import next_recheck
from scraper.pipeline.titles import TitleMemory, document_title
from scraper.pipeline.writer import ArticleWriter
from storage.protocols import PollStore
from storage.repository import (
    ArticleInput,
    ArticleState,
    ArticleWrite,
    CheckPlan,
    Router,
    RunOutcome,
    SourceState,
)

log = logging.getLogger("scraper.poll")
P = ParamSpec("P")
T = TypeVar("T")

# Documents (listing pages, feeds, sitemaps) read per poll: more on the first poll, to
# walk pagination and sitemap indexes; afterwards the first pages carry what is new.
FIRST_POLL_DOCUMENTS = 12
LATER_POLL_DOCUMENTS = 4
ARTICLE_CONCURRENCY = 8
# A permanent answer: the article is gone or is not a page; do not retry it every poll.
PERMANENT_STATUSES = frozenset({404, 410, 451})
_UNDATED = datetime.min.replace(tzinfo=UTC)  # sorts after every dated link, keeps page order


@dataclass
class PollReport:
    source: str
    ok: bool = True
    error: str | None = None
    documents: int = 0
    not_modified: int = 0
    links: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: int = 0
    empty: int = 0
    # Article addresses that turned out to be another address of an article already
    # stored (or fetched earlier in this poll): same path and content, other context
    # parameters. Not stored again.
    merged: int = 0
    # Anchors left unread on listing pages that reached ``max_links_per_page``.
    links_cut: int = 0
    undecodable: int = 0  # bodies that decoded to no text (counted in ``empty`` too)
    extract_errors: int = 0  # extractions that raised inside (also counted in ``empty``)
    # The source's own page gave no link and looks like a shell its scripts fill in.
    script_shell: bool = False
    events: list[str] = field(default_factory=list)
    # The lease was handed back with the outcome (see ``Handback``).
    released: bool = False

    def summary(self) -> str:
        if not self.ok:
            return f"{self.source}: failed — {self.error}"
        return (
            f"{self.source}: {self.links} links, {self.new} new, {self.updated} updated, "
            f"{self.duplicates} duplicates, {self.unchanged} unchanged, {self.failed} failed"
            + (f", {self.not_modified} not modified" if self.not_modified else "")
            + (f", {self.merged} merged" if self.merged else "")
            + (f", {self.links_cut} links cut at max_links_per_page" if self.links_cut else "")
            + (f", {self.undecodable} not text" if self.undecodable else "")
        )


@dataclass(frozen=True)
class Handback:
    """What a poll needs to hand its source's lease back in the transaction that records
    its outcome: the lease's owner, the wait until the source is due again (given the
    failure streak), and how to stop renewing the lease first (a renewal after the hand
    back would find the lease gone and say it was lost)."""

    owner: str
    wait: Callable[[int], float]
    stop_renewing: Callable[[], object]


@dataclass(frozen=True)
class _Task:
    url: str
    link: Link | None
    known: ArticleState | None


class _AddressBook:
    """What one poll has fetched, by content hash: the same article reached through two
    listing pages arrives as two URLs in one poll, fetched concurrently, before either is
    stored. ``claim`` runs without awaiting, so of two such tasks the first registers its
    URL and the second finds it."""

    def __init__(self, learned: frozenset[str], keep: frozenset[str] = frozenset()) -> None:
        self.learned = learned
        self.keep = keep
        self._urls: dict[str, list[str]] = {}

    def twin(self, url: str, other: str) -> frozenset[str] | None:
        """The parameters in which ``url`` differs from ``other`` when it is another
        address of the same page; None when it is not (another path, or a parameter
        ``keep_params`` says names the article: equal texts there are two articles)."""
        differ = differing_params(url, other)
        if differ is None or (differ and differ <= self.keep) or (not differ and url != other):
            return None
        return differ

    def claim(self, url: str, content_hash: str) -> tuple[str, frozenset[str]] | None:
        """An earlier URL of this poll with this content that is ``url`` or differs from
        it only in parameters (and which ones); else None, and ``url`` is registered."""
        seen = self._urls.setdefault(content_hash, [])
        for other in seen:
            differ = self.twin(url, other)  # other == url: two links, one canonical URL
            if differ is not None:
                return other, differ
        seen.append(url)
        return None


class Poller:
    def __init__(
        self,
        *,
        fetcher: PageFetcher,
        store: PollStore,
        writer: ArticleWriter,
        cpu: CpuPool,
        router_for: Callable[[Source], Router],
        failing_after: int = 3,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.fetcher = fetcher
        self.store = store
        self.writer = writer
        self.cpu = cpu
        self.router_for = router_for
        self.failing_after = failing_after
        self.clock = clock
        self.titles = TitleMemory()

    async def poll(
        self,
        source: Source,
        source_id: int,
        state: SourceState | None = None,
        *,
        handback: Handback | None = None,
    ) -> PollReport:
        """Poll ``source`` once and record the outcome on its row. ``state`` is the row
        as the lease claim read it (read here when not given); with ``handback`` the
        lease is released with the outcome (``report.released``). Never raises for what
        a site does; a database failure propagates (nothing can be recorded)."""
        report = PollReport(source=source.name)
        router = self.router_for(source)
        if state is None:
            state = await self.store.source_state(source.name)
        first_poll = state is None or state.last_success_at is None
        try:
            if source.kind == "page":
                await self._poll_page(source, source_id, router, report)
            else:
                await self._poll_listing(source, source_id, router, report, first_poll)
        except FetchError as exc:
            # The row is the source's: its name would only repeat itself in last_error.
            report.ok, report.error = False, f"{exc.args[0]} ({exc.url})"
        suspicion = self._suspicion(report, state.last_links_found if state else None)
        outcome = RunOutcome(
            ok=report.ok,
            error=report.error,
            links_found=report.links if report.documents > report.not_modified else None,
            suspicion=suspicion,
        )
        if handback is not None:
            handback.stop_renewing()
        report.events += await self.store.record_run(
            source_id, outcome, failing_after=self.failing_after, router=router,
            owner=handback.owner if handback else None, wait=handback.wait if handback else None,
        )  # fmt: skip
        report.released = handback is not None
        level = logging.INFO if report.ok else logging.WARNING
        log.log(level, "%s", report.summary(), extra={"source": source.name})
        return report

    # Listing pages, feeds, sitemaps -------------------------------------------------------

    async def _poll_listing(
        self, source: Source, source_id: int, router: Router, report: PollReport, first: bool
    ) -> None:
        learned = await self.store.context_params(source_id)
        links, fresh_documents = await self._discover_all(source, report, first, learned)
        report.links = len(links)
        known, due = await self.store.known_and_due(
            source_id, list(links), limit=source.max_new_articles_per_run
        )
        # Newest first when there is a backlog (a sitemap of thousands on the first poll):
        # the rest comes on later polls, since the listing's validators are not saved.
        new = sorted(
            (url for url in links if url not in known),
            key=lambda url: changed_at(links[url]) or _UNDATED,
            reverse=True,
        )
        tasks = [_Task(url, links[url], None) for url in new[: source.max_new_articles_per_run]]
        announced = [
            _Task(url, link, known[url])
            for url, link in links.items()
            if url in known and is_later(changed_at(link), known[url].listed_updated_at)
        ]
        queued = {t.url for t in tasks} | {t.url for t in announced}
        tasks += announced + [_Task(s.url, links.get(s.url), s) for s in due if s.url not in queued]
        book = _AddressBook(learned, frozenset(k.lower() for k in source.keep_params))
        complete = await self._process(tasks, source, source_id, router, report, book)
        new_all_handled = complete and len(new) <= source.max_new_articles_per_run
        if new_all_handled:
            await self.store.save_validators_many(
                {url: (v.etag, v.last_modified) for url, v in fresh_documents.items()}
            )

    async def _discover_all(
        self, source: Source, report: PollReport, first: bool, learned: frozenset[str]
    ) -> tuple[dict[str, Link], dict[str, Validators]]:
        limit = FIRST_POLL_DOCUMENTS if first else LATER_POLL_DOCUMENTS
        queue, seen = [source.url], {source.url}
        links: dict[str, Link] = {}
        fresh: dict[str, Validators] = {}
        while queue and report.documents < limit:
            url = queue.pop(0)
            etag, last_modified = await self.store.get_validators(url)
            try:
                page = await self.fetcher.fetch(
                    url, source, validators=Validators(etag, last_modified)
                )
                report.documents += 1
                if page.not_modified:
                    report.not_modified += 1
                    continue
                discovery: Discovery = await self._parse(
                    len(page.content), page, source, discover, page, source, learned
                )
            except FetchError as exc:  # discovery refuses hostile XML the same way
                if url == source.url:
                    raise  # the source itself failed
                log.warning("%s: follow-up %s skipped: %s", source.name, url, exc)
                continue
            fresh[url] = page.validators
            if url == source.url and not discovery.links and source.render == "http":
                report.script_shell = await self._parse(
                    len(page.content), page, source, looks_scripted, page.text
                )
            if discovery.cut:
                report.links_cut += discovery.cut
                log.warning(
                    "%s: %s has more links than max_links_per_page (%d): %d anchors not read",
                    source.name, url, source.max_links_per_page, discovery.cut,
                )  # fmt: skip
            if discovery.kind == "listing":
                self.titles.remember(source.name, document_title(page.text))
            for link in discovery.links:
                if link.url not in links or is_later(changed_at(link), changed_at(links[link.url])):
                    links[link.url] = link
            for follow in discovery.follow_up:
                if follow not in seen:
                    seen.add(follow)
                    queue.append(follow)
        return links, fresh

    async def _process(
        self,
        tasks: list[_Task],
        source: Source,
        source_id: int,
        router: Router,
        report: PollReport,
        book: _AddressBook,
    ) -> bool:
        """Fetch and store the articles; True when none failed for a passing reason."""
        gate = asyncio.Semaphore(ARTICLE_CONCURRENCY)

        async def one(task: _Task) -> bool:
            async with gate:
                return await self._article(task, source, source_id, router, report, book)

        async with asyncio.TaskGroup() as group:
            runs = [group.create_task(one(t), name=f"article:{t.url}") for t in tasks]
        return all(run.result() for run in runs)

    async def _article(
        self,
        task: _Task,
        source: Source,
        source_id: int,
        router: Router,
        report: PollReport,
        book: _AddressBook,
    ) -> bool:
        known = task.known
        validators = Validators(known.etag, known.last_modified) if known else None
        now = self.clock()
        first_seen = known.first_seen_at if known else now
        checks_done = known.check_count if known else 0
        listed = changed_at(task.link) if task.link else None
        try:
            # Charset detection is left to the CPU pool, with the parsing.
            page = await self.fetcher.fetch(task.url, source, validators=validators, decode=False)
        except FetchError as exc:
            return await self._article_failed(task, exc, source, report, first_seen, checks_done)
        plan = CheckPlan(
            next_check_at=next_recheck(first_seen, checks_done, source.recheck_after, now),
            etag=page.validators.etag,
            last_modified=page.validators.last_modified,
            listed_updated_at=listed,
        )
        if page.not_modified:
            if known is not None:
                await self.store.mark_checked(known.id, plan)
            report.unchanged += 1
            return True
        extracted = await self._extract(page, source, task.url)
        if not extracted.item.text:
            self._no_text(extracted, source, task.url, report)
            if known is not None:
                await self.store.mark_checked(known.id, plan)
            return True
        item = extracted.item
        if known is None:
            identified = await self._identify(item, source, source_id, book)
            if identified is None:
                report.merged += 1
                return True
            item = identified
        await self._save(item, plan, source, source_id, router, report)
        return True

    async def _identify(
        self, item: ArticleInput, source: Source, source_id: int, book: _AddressBook
    ) -> ArticleInput | None:
        """A new article's identity address; None when it is another address of an
        article stored already or fetched earlier in this poll (same path, same
        content, other parameters), which is then not stored again. What the page's
        canonical URL and such twins show about context parameters is recorded."""
        rules = IdentityRules.of(source.url, source.keep_params, source.drop_params, book.learned)
        url = item.url
        # Parameters the page's canonical URL leaves out (keep_params name the article,
        # whatever the page says).
        stated = canonical_context(url, item.canonical_url) if rules.applies_to(url) else None
        context = (stated or frozenset()) - book.keep
        if context:
            url = IdentityRules.of(
                source.url, source.keep_params, source.drop_params, book.learned | context
            ).identity(url)
        twin = book.claim(url, item.content_hash)  # no await before: see _AddressBook
        if context:
            await self.store.record_context(
                source_id, context, content_hash=item.content_hash, example_url=item.url,
                via="canonical",
            )  # fmt: skip
        if twin is not None:
            await self._twin_found(source, source_id, item, twin[1])
            return None
        if not (urlsplit(url).query or not rules.empty):
            # No query, and nothing known or declared that could have removed one: no
            # stored address can differ from this one in parameters only. Most sites
            # (paths like /news/2025/10472.html) never pay for the lookup.
            return item
        for stored in await self.store.same_content(source_id, item.content_hash):
            differ = book.twin(url, stored.url)
            if stored.url == url or not differ:
                continue
            await self._twin_found(source, source_id, item, differ)
            learned = await self.store.context_params(source_id)
            rules = IdentityRules.of(source.url, source.keep_params, source.drop_params, learned)
            if rules.identity(stored.url) == rules.identity(url) != stored.url:
                # The stored address carries parameters now known to be context: give it
                # the address discovery will list from now on, so it is found as known.
                await self.store.rename_article(stored.id, rules.identity(url))
            return None
        return item if url == item.url else replace(item, url=url)

    async def _twin_found(
        self, source: Source, source_id: int, item: ArticleInput, differ: frozenset[str]
    ) -> None:
        context = differ - {k.lower() for k in source.keep_params}
        log.info(
            "%s: %s is an article already seen under another address (differs in %s)",
            source.name, item.url, ", ".join(sorted(differ)),
        )  # fmt: skip
        await self.store.record_context(
            source_id, context, content_hash=item.content_hash, example_url=item.url,
            via="content",
        )  # fmt: skip

    @staticmethod
    def _no_text(extracted: Extracted, source: Source, url: str, report: PollReport) -> None:
        """Count and log a page that gave no text; it is not stored."""
        report.empty += 1
        if extracted.article.error:
            report.extract_errors += 1
            log.warning(
                "%s: extraction failed on %s: %s", source.name, url, extracted.article.error
            )
        elif extracted.undecodable:
            report.undecodable += 1
            log.warning(
                "%s: %s decodes to no text (binary data or an unknown charset); not stored",
                source.name, url, extra={"source": source.name},
            )  # fmt: skip
        else:
            log.warning("%s: no article text extracted from %s", source.name, url)

    async def _save(
        self,
        item: ArticleInput,
        plan: CheckPlan,
        source: Source,
        source_id: int,
        router: Router,
        report: PollReport,
        *,
        page_watch: bool = False,
    ) -> None:
        result = await self.writer.save(
            ArticleWrite(source_id, source.name, item, plan, router, page_watch)
        )
        report.events += result.event_ids
        counter = {"new": "new", "updated": "updated", "duplicate": "duplicates"}
        name = counter.get(result.outcome, "unchanged")
        setattr(report, name, getattr(report, name) + 1)

    async def _article_failed(
        self,
        task: _Task,
        exc: FetchError,
        source: Source,
        report: PollReport,
        first_seen: datetime,
        checks_done: int,
    ) -> bool:
        report.failed += 1
        log.warning("%s: article %s: %s", source.name, task.url, exc)
        permanent = isinstance(exc, UnsupportedContentType) or (
            isinstance(exc, HTTPStatusError) and exc.status in PERMANENT_STATUSES
        )
        if task.known is not None:
            # A stored article that fails its re-check moves on along the schedule.
            next_at = next_recheck(first_seen, checks_done, source.recheck_after, self.clock())
            await self.store.mark_checked(
                task.known.id, CheckPlan(next_check_at=None if permanent else next_at)
            )
            return True
        return permanent

    # A watched page (kind: page) ---------------------------------------------------------

    async def _poll_page(
        self, source: Source, source_id: int, router: Router, report: PollReport
    ) -> None:
        etag, last_modified = await self.store.get_validators(source.url)
        page: Page = await self.fetcher.fetch(
            source.url, source, validators=Validators(etag, last_modified)
        )
        report.documents += 1
        if page.not_modified:
            report.not_modified += 1
            report.unchanged += 1
            return
        extracted = await self._extract(page, source, source.url)
        if not extracted.item.text:
            self._no_text(extracted, source, source.url, report)
            return  # nothing to compare: an empty version would announce a false change
        plan = CheckPlan(next_check_at=None)
        await self._save(extracted.item, plan, source, source_id, router, report, page_watch=True)
        await self.store.save_validators(
            source.url, page.validators.etag, page.validators.last_modified
        )

    async def _extract(self, page: Page, source: Source, url: str) -> Extracted:
        """Extract an article, titled with what the source's other pages taught."""
        names = self.titles.site_names(source.name)
        # Any size goes to the parsing process: extraction loads the language model, which
        # then lives there only (see scraper.pipeline.cpu).
        extracted = await self._parse(None, page, source, extract_page, page, source, url, names)
        self.titles.remember(source.name, extracted.article.page_title)
        return extracted

    async def _parse(
        self,
        size: int | None,
        page: Page,
        source: Source,
        function: Callable[P, T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Parse ``page`` with ``function``, in the CPU pool when ``size`` is big enough
        (``None``: whenever there is a pool)."""
        try:
            return await self.cpu.run(size, function, *args, **kwargs)
        except WorkerCrashed as exc:
            raise ParserCrashed(str(exc), url=page.final_url, source=source.name) from None

    # Self-diagnosis ------------------------------------------------------------------------

    @staticmethod
    def _suspicion(report: PollReport, links_before: int | None) -> str | None:
        """A poll that fetched fine but looks broken: the site changed under us."""
        if not report.ok or report.documents == report.not_modified:
            return None
        scripted = "the page looks built by its scripts: try render: browser"
        if report.links == 0 and links_before:
            return (
                f"no article links found where the last poll found {links_before} "
                f"(listing structure changed?{'; ' + scripted if report.script_shell else ''})"
            )
        if report.links == 0 and report.script_shell:
            return f"no article links found, and {scripted}"
        extracted = report.new + report.updated + report.duplicates + report.empty
        if extracted >= 3 and report.empty / extracted >= 0.8:
            return (
                f"{report.empty} of {extracted} articles came out empty "
                "(article layout changed? set content_selector)"
            )
        return None


__all__ = ["PollReport", "Poller"]
