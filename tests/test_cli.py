"""`newsbot ingest` and `newsbot ask` as a user runs them: subprocesses, the real model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "sample" / "000_a7b569a2979bba2d.txt"
WIKINEWS = ROOT / "samples" / "wikinews" / "articles.jsonl"


def _newsbot(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "TELEGRAM_", "DATABASE_URL", "NEWSBOT_"))
    }
    env |= {"NEWSBOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=data_dir,  # no stray .env from the repository
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    lines = WIKINEWS.read_text(encoding="utf-8").splitlines()[:25]
    (folder / "wikinews.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "broken.json").write_text('{"title": "half a record", ', encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def indexed(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("data")
    result = _newsbot("ingest", str(corpus), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("26 new, 0 updated, 0 duplicates skipped, 1 failed")
    assert "broken.json" in result.stderr
    return data_dir


@pytest.mark.slow
def test_ingest_twice_skips_duplicates(indexed: Path, corpus: Path) -> None:
    result = _newsbot("ingest", str(corpus / SAMPLE.name), data_dir=indexed)
    assert result.returncode == 0, result.stderr
    assert "0 new, 0 updated, 1 duplicates skipped, 0 failed" in result.stdout


@pytest.mark.slow
def test_ask_cites_the_sample_article(indexed: Path) -> None:
    result = _newsbot("ask", "Why did Blinken visit Seoul?", data_dir=indexed)
    assert result.returncode == 0, result.stderr
    answer, _, sources = result.stdout.partition("Sources:")
    assert "[1]" in answer
    assert "Blinken" in answer
    assert "[1] Blinken in Seoul after strengthening relations between North Korea and Russia" in (
        sources
    )


@pytest.mark.slow
def test_ask_json_lists_answer_citations_and_passages(indexed: Path) -> None:
    result = _newsbot("ask", "Why did Blinken visit Seoul?", "--json", data_dir=indexed)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["mode"] == "extractive"
    assert payload["citations"][0]["source"] == "site-59"
    assert len(payload["passages"]) >= 2
    assert {"article_id", "url", "source", "published_at", "text", "score"} <= set(
        payload["passages"][0]
    )
    scores = [p["score"] for p in payload["passages"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.slow
def test_ask_as_of_before_every_article_finds_nothing_dated(indexed: Path) -> None:
    result = _newsbot(
        "ask", "Boeing Air Force tanker deal", "--json", "--as-of", "1990-01-01", data_dir=indexed
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    # Only undated articles (the sample file) may be searched before 1990.
    assert all(p["published_at"] is None for p in payload["passages"])


def test_bad_as_of_date_gets_a_clear_message(tmp_path: Path) -> None:
    result = _newsbot("ask", "anything", "--as-of", "not a date", data_dir=tmp_path)
    assert result.returncode == 1
    assert "--as-of" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_ask_with_outlet_and_date_options(indexed: Path) -> None:
    result = _newsbot(
        "ask", "Boeing", "--json", "--source", "wikinews", "--since", "2005-01-01",
        "--until", "2005-12-31", data_dir=indexed,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    passages = json.loads(result.stdout)["passages"]
    assert passages
    assert all(p["source"] == "Wikinews" for p in passages)
    assert all("2005-01-01" <= p["published_at"][:10] <= "2005-12-31" for p in passages)
