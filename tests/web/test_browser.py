"""The web view in a real browser: Debian's headless Chromium loads the pages from the
app on a loopback socket; assertions run on the DOM it rendered, and a screenshot is
taken (saved as docs/images/web-view.png with NEA_UPDATE_SCREENSHOT=1).

Chromium is driven by its command line (--dump-dom, --screenshot): the pages run no
script, so the DOM after load is all there is to see, and no driver library is needed.
A proxy that does not exist keeps the browser from reaching anything but loopback."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.web import create_app
from scraper.web.serving import WebServer, listen
from storage.engine import open_existing
from tests.web.conftest import Reader
from tests.web.corpus import CONFIG, HOSTILE_TITLE

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "images" / "web-view.png"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--proxy-server=127.0.0.1:9",  # loopback bypasses it; anything else fails
]  # fmt: skip


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("chromium is not installed: CI must run the browser tests (.ci/run)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    return found


@pytest.fixture
async def served(reader: Reader, db_url: str) -> AsyncIterator[str]:
    """The app on a loopback socket (a real server: the browser is a separate process)."""
    engine = open_existing(db_url, read_only=True)
    server = WebServer(create_app(engine, lambda: CONFIG), listen("127.0.0.1", 0))
    task = asyncio.create_task(server.serve())
    try:
        yield server.url
    finally:
        server.stop()
        await task
        await engine.dispose()


async def browse(url: str, profile: Path, *flags: str) -> str:
    process = await asyncio.create_subprocess_exec(
        chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *flags, url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=100)
    assert process.returncode == 0, err.decode(errors="replace")[-2000:]
    return out.decode()


async def rendered(url: str, profile: Path) -> LexborHTMLParser:
    return LexborHTMLParser(await browse(url, profile, "--dump-dom"))


async def test_index_as_rendered_by_chromium(reader: Reader, served: str, tmp_path: Path) -> None:
    dom = await rendered(f"{served}/", tmp_path / "profile")
    root = dom.css_first("html")
    assert root.attributes["lang"] == "en"
    assert "data-pwned" not in root.attributes  # no payload ran
    titles = {
        li.css_first("h2 a").text(): li.attributes.get("lang") for li in dom.css("li.article")
    }
    assert titles["图们江区域合作论坛开幕"] == "zh"
    assert titles["두만강 협력 회의 개최"] == "ko"
    assert titles["北東アジア経済博覧会が開幕"] == "ja"
    assert titles["Туманная: сотрудничество регионов"] == "ru"
    assert titles[HOSTILE_TITLE] == "en"  # the markup is text on the page
    assert dom.css("li.article img, li.article script, li.article svg, li.article iframe") == []
    assert dom.css_first("title").text() == "nea-monitor"
    # The form works without script: it is a plain GET form.
    form = dom.css_first("form.filters")
    assert form.attributes["method"] == "get"
    assert form.attributes["action"] == "/"


async def test_article_and_diff_as_rendered_by_chromium(
    reader: Reader, served: str, tmp_path: Path
) -> None:
    dom = await rendered(f"{served}/articles/{reader.corpus.ids['en']}", tmp_path / "p1")
    assert dom.css_first("html").attributes["lang"] == "en"
    assert [d.text() for d in dom.css(".diff p.changed del")] == ["discussed"]
    assert [i.text() for i in dom.css(".diff p.changed ins")] == ["approved"]
    hostile = await rendered(f"{served}/articles/{reader.corpus.ids['hostile']}", tmp_path / "p2")
    assert "data-pwned" not in hostile.css_first("html").attributes
    assert hostile.css_first("h1").text() == HOSTILE_TITLE
    assert not [a for a in hostile.css("a") if "javascript" in a.attributes.get("href", "")]
    korean = await rendered(f"{served}/articles/{reader.corpus.ids['ko']}", tmp_path / "p3")
    assert korean.css_first("html").attributes["lang"] == "ko"
    assert "두만강 지역 협력 계획을 논의했다." in korean.css_first(".text").text()
    sources = await rendered(f"{served}/sources", tmp_path / "p4")
    assert sources.css_first("table.sources tbody tr").attributes["class"] == "failing"


async def test_screenshot(reader: Reader, served: str, tmp_path: Path) -> None:
    shot = tmp_path / "web-view.png"
    await browse(f"{served}/?topic=tumen", tmp_path / "profile", f"--screenshot={shot}",
                 "--window-size=1100,760", "--hide-scrollbars")  # fmt: skip
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 10_000  # a rendered page, not an empty canvas
    if os.environ.get("NEA_UPDATE_SCREENSHOT"):
        SCREENSHOT.write_bytes(data)
