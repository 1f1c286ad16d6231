"""``scraper dedup explain``: why two articles are or are not near duplicates."""

from __future__ import annotations

import argparse

from scraper.commands._db import existing_database
from scraper.dedup_explain import explain as explain_pair
from storage.reads import ReadQueries
from storage.records import ArticleText


async def explain(args: argparse.Namespace) -> int:
    async def load(ids: list[int]) -> dict[int, ArticleText]:
        async with existing_database(args.db) as engine:
            return await ReadQueries(engine).article_texts(ids)

    return await explain_pair(args, load)
