"""Rewrite the expected JSON of every golden page from the current extractor.

    .venv/bin/python tests/extract/regenerate.py      # then review the diff with git

Each ``golden/<name>.html`` is raw bytes in the site's own encoding; its URL is in
``URLS`` below (or ``https://example.org/<name>``). Review every change before committing:
the expected files are the specification of what a clean article looks like.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).resolve().parent / "golden"
REPO = GOLDEN.parents[2]
URLS = {
    "ko_board": "https://www.neargov.org/kor/notice/view.do?id=310",
    "zh_gov": "http://wb.jl.gov.cn/xwzx/gzdt/202508/t20250826_3301.html",
    "ja_pref": "https://www.pref.tottori.lg.jp/item/1358312.htm",
    "ru_news": "https://primorsky.ru/news/international/near-session/",
    "mn_news": "https://dornod.gov.mn/news/near-chuulgan",
    "en_secretariat": "https://secretariat.example.org/news/2023/ministers-tourism-roadmap/",
    "en_notice": "https://www.neargov.org/en/notice/view.do?id=77",
    "ko_news": "https://www.localnews.example.kr/news/articleView.html?idxno=40211",
    "zh_trs": "https://www.hlj.gov.cn/hlj/c107856/202406/c00_31741233.shtml",
}


def url_for(name: str) -> str:
    return URLS.get(name, f"https://example.org/{name}")


def expected_of(html: bytes, url: str) -> dict[str, Any]:
    from scraper.extract import extract

    article = extract(html, url=url)
    return {
        "url": url,
        "title": article.title,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "language": article.language,
        "author": article.author,
        "canonical_url": article.canonical_url,
        "text": article.text,
    }


def main() -> int:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    for page in sorted(GOLDEN.glob("*.html")):
        expected = expected_of(page.read_bytes(), url_for(page.stem))
        out = page.with_suffix(".json")
        out.write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", "utf-8")
        print(f"wrote {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
