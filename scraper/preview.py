"""``scraper preview SOURCE``: what discovery and extraction would do now, storing nothing.
The tool for adding a site: run it, adjust ``follow``/``link_selector``/``content_selector``,
run it again."""

from __future__ import annotations

from rich.console import Console

from scraper.config.types import Source
from scraper.discover import discover, looks_scripted
from scraper.errors import FetchError
from scraper.fetch import Fetcher
from scraper.pipeline.articles import extract_page
from scraper.tables import Column, print_table


async def preview_source(source: Source, *, limit: int, console: Console) -> int:
    async with Fetcher() as fetcher:
        try:
            page = await fetcher.fetch(source.url, source)
        except FetchError as exc:
            console.print(f"[red]fetching {source.url} failed:[/] {exc}")
            return 1
        console.print(
            f"[bold]{source.name}[/] {page.final_url} — HTTP {page.status}, {page.content_type}, "
            f"{len(page.content):,} bytes, decoded as {page.encoding}"
        )
        if source.kind == "page":
            extracted = extract_page(page, source, source.url)
            _show_article(console, source.url, extracted.article.title, extracted.item.text)
            return 0
        discovery = discover(page, source)
        title = f"{discovery.kind}: {len(discovery.links)} article links"
        columns = [Column("#"), Column("article URL"), Column("anchor / feed title", 50),
                   Column("updated")]  # fmt: skip
        rows = [
            [str(index), link.url, link.title or "",
             link.updated_at.isoformat() if link.updated_at else ""]
            for index, link in enumerate(discovery.links, 1)
        ]  # fmt: skip
        print_table(columns, rows, title=title)
        if not discovery.links and source.render == "http" and looks_scripted(page.text):
            console.print(
                "[yellow]No article links, and the page looks built by its scripts: "
                "try render: browser[/]"
            )
        if discovery.follow_up:
            console.print("Also read on a poll: " + ", ".join(discovery.follow_up))
        for link in discovery.links[:limit]:
            try:
                article_page = await fetcher.fetch(link.url, source)
            except FetchError as exc:
                console.print(f"[red]{link.url}: {exc}[/]")
                continue
            extracted = extract_page(article_page, source, link.url)
            _show_article(console, link.url, extracted.article.title, extracted.item.text)
    return 0


def _show_article(console: Console, url: str, title: str, text: str) -> None:
    if console.is_terminal:
        console.rule(f"[bold]{title or '(no title)'}")
    else:  # piped: a plain heading line, as the tables have
        console.print(f"# {title or '(no title)'}", markup=False)
    console.print(f"[dim]{url} — {len(text):,} characters[/]")
    console.print(text[:600] + ("…" if len(text) > 600 else ""), markup=False)
