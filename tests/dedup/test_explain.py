"""`scraper dedup explain`: on two files, and on two stored articles of a real SQLite
database, with one-line errors for what cannot be read."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scraper.cli import main
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.repository import ArticleWrite, CheckPlan, SourceSpec, Store
from tests.support.texts import article, story

NOTICE = (
    "The {}th working meeting of the {} was held in {} on {}. Representatives of member "
    "governments reviewed the progress of joint projects and agreed on the next agenda."
)


def test_explain_two_files_shows_the_differing_facts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(NOTICE.format(11, "Committee on Environment", "Pohang", "12 May 2025"))
    b.write_text(NOTICE.format(25, "Committee on Tourism", "Toyama", "3 June 2025"))
    assert main(["dedup", "explain", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "similarity:" in out
    assert "containment:" in out
    assert "'the11' -> 'the25'" in out
    assert "verdict:      distinct" in out


def test_explain_stored_articles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'nea.db'}"

    async def fill() -> None:
        engine = create_engine(url)
        await upgrade(engine)
        store = Store(engine)
        sid = (await store.sync_sources([SourceSpec(name="s", url="https://e.org/", kind="auto")]))[
            "s"
        ]
        plan = CheckPlan(next_check_at=datetime(2030, 1, 1, tzinfo=UTC))
        for url_, text in (("https://e.org/1", story(3)), ("https://e.org/2", story(3) + " Ok.")):
            write = ArticleWrite(sid, "s", article(url_, text), plan, lambda _t: ())
            await store.save_articles([write], near_duplicates=True)
        await store.aclose()

    asyncio.run(fill())
    assert main(["dedup", "explain", "1", "2", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "article 1 (https://e.org/1)" in out
    assert "verdict:      near duplicates" in out
    assert "B is a duplicate of article 1" in out
    assert main(["dedup", "explain", "1", "99", "--db", url]) == 2
    assert capsys.readouterr().err.strip() == "error: no stored article with id 99"


def test_explain_an_unreadable_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dedup", "explain", str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: cannot read ")
    assert "\n" not in err
