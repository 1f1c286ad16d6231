"""``scraper extract``: the article of a file, a URL or stdin."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path
from typing import Any

from scraper.commands import EXIT_OK
from scraper.errors import UsageError
from scraper.extract import extract as extract_article
from scraper.extract.types import Article
from storage.records import iso


async def extract(args: argparse.Namespace) -> int:
    target: str = args.target
    base = args.url
    if target == "-":
        data = await asyncio.to_thread(sys.stdin.buffer.read)
    elif re.match(r"https?://", target):
        data, base = await _download(target), base or target
    else:
        data = await _read(target)
    article = extract_article(data, base, content_selector=args.content_selector)
    print(render_article(article, args.format))
    return EXIT_OK


async def _read(path: str) -> bytes:
    try:
        return await asyncio.to_thread(Path(path).read_bytes)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


async def _download(url: str) -> bytes:
    from scraper.config.types import Source
    from scraper.fetch import Fetcher

    async with Fetcher() as fetcher:
        page = await fetcher.fetch(url, Source(name="extract", url=url))
    return page.content


def render_article(article: Article, fmt: str) -> str:
    if fmt == "text":
        return f"{article.title}\n\n{article.text}" if article.title else article.text
    if fmt == "markdown":
        head = f"# {article.title}\n\n" if article.title else ""
        meta = [f"*{v}*" for v in (article.author, iso(article.published_at)) if v]
        return head + ("  \n".join(meta) + "\n\n" if meta else "") + article.text
    return json.dumps(article_json(article), ensure_ascii=False, indent=2)


def article_json(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "text": article.text,
        "author": article.author,
        "published_at": iso(article.published_at),
        "language": article.language,
        "canonical_url": article.canonical_url,
    }
