"""The memory-mapped language model answers exactly as py3langid's own, is written once
and shared, and a cache that cannot be written falls back to the in-memory model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from py3langid import langid

from scraper.extract import _langid_model

TEXTS = {
    "en": "Tourism ministers from five countries met in Busan and agreed on a roadmap.",
    "de": "Die Minister haben sich auf einen gemeinsamen Fahrplan für den Tourismus geeinigt.",
    "fr": "Les ministres du tourisme se sont réunis à Busan et ont adopté une feuille de route.",
    "es": "Los ministros de turismo de cinco países se reunieron en Busan y acordaron un plan.",
    "it": "I ministri del turismo di cinque paesi si sono incontrati a Busan e hanno concordato.",
    "pl": "Ministrowie turystyki z pięciu krajów spotkali się w Pusan i uzgodnili plan działania.",
    "vi": "Các bộ trưởng du lịch của năm quốc gia đã gặp nhau tại Busan và thống nhất lộ trình.",
    "zh": "东北亚地区地方政府联合会第十五届全体会议在俄罗斯召开，各国代表出席会议。",
    "ja": "北東アジア地域自治体連合の総会に知事が出席しました。交流の拡大を提案しました。",
    "ko": "동북아지역자치단체연합 사무국은 포항에서 실무위원회를 개최한다고 밝혔습니다.",
    "ru": "Генеральная ассамблея пройдет во Владивостоке в сентябре этого года.",
    "mn": "Монгол улсын Засгийн газар бүс нутгийн хамтын ажиллагааны төлөвлөгөөг баталлаа.",
}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(_langid_model.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_mapped_model_answers_as_py3langid(cache: Path) -> None:
    classify = _langid_model.classifier()
    reference = langid._get_identifier()
    for text in [*TEXTS.values(), "", "1234", "a", "ÜBER ALLES", "mixed 中文 and English"]:
        mine, score = classify(text)
        theirs, their_score = reference.classify(text)
        assert (mine, score) == pytest.approx((theirs, their_score)), text
    assert [classify(t)[0] for t in TEXTS.values()][:5] == ["en", "de", "fr", "es", "it"]
    # The arrays are file-backed maps, not copies in this process's heap.
    assert any(p.name.startswith("langid-") for p in cache.iterdir())
    assert str(cache) in Path(f"/proc/{os.getpid()}/maps").read_text()


def test_the_cache_is_written_once_and_reused(cache: Path) -> None:
    _langid_model.classifier()
    (folder,) = [p for p in cache.iterdir() if p.name.startswith("langid-")]
    written = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    _langid_model.classifier()
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == written
    assert [p.name for p in cache.iterdir()] == [folder.name]  # no scratch folder left


def test_an_unwritable_cache_falls_back_to_the_model_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(_langid_model.CACHE_ENV, str(blocker / "cache"))  # under a file
    classify = _langid_model.classifier()
    assert classify(TEXTS["de"])[0] == "de"


def test_writing_the_model_removes_other_versions_and_abandoned_scratch(cache: Path) -> None:
    cache.mkdir(parents=True)
    older = cache / "langid-0-0123456789abcdef"
    older.mkdir()
    (older / "ptc.npy").write_bytes(b"old")
    abandoned = cache / ".langid-dead"
    abandoned.mkdir()
    old = 0.0  # the epoch: older than any writer still at work
    os.utime(abandoned, (old, old))
    in_progress = cache / ".langid-writing"
    in_progress.mkdir()
    unrelated = cache / "notes.txt"
    unrelated.write_text("kept")
    _langid_model.classifier()
    (current,) = [p.name for p in cache.iterdir() if p.name.startswith("langid-")]
    assert current.startswith(f"langid-{_langid_model.FORMAT}-")
    assert sorted(p.name for p in cache.iterdir()) == [".langid-writing", current, "notes.txt"]
