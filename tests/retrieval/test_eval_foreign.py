"""`newsbot eval realtimeqa DIR --corpus PATH`: the questions asked of a corpus that does not
cover them, counting the replies that say "not found" (bot/eval_foreign.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot import eval_foreign
from bot.eval_cache import path_digest
from bot.runtime import Runtime
from bot.settings import Settings
from index.embedding import HashingEmbedder
from index.errors import BadInputError
from retrieval import realtimeqa_replies as replies_eval
from tests.retrieval.test_realtimeqa import write_dir

FOREIGN = [
    {
        "title": "Squid Game renewed",
        "body": "Netflix has green lit a second season of Squid Game, its popular South "
        "Korean show, the company said.",
        "published_at": "2022-06-13",
    },
    {
        "title": "Snow closes mountain passes",
        "body": "Heavy snow closed mountain passes and delayed trains in the north on Monday.",
        "published_at": "2004-01-05",
    },
]


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", database_url="")
    return Runtime(settings, embedder=HashingEmbedder(dimension=256))


def write_corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "news.jsonl").write_text(
        "".join(json.dumps(record) + "\n" for record in FOREIGN), encoding="utf-8"
    )
    (folder / "README.md").write_text("not an article", encoding="utf-8")
    return folder


def test_summarise_abstention_splits_answers_into_holding_and_off_corpus() -> None:
    results = [
        replies_eval.ReplyResult("a", "not_found", False),
        replies_eval.ReplyResult("b", "not_found", True),  # a listed headline held it
        replies_eval.ReplyResult("c", "extractive", True),
        replies_eval.ReplyResult("d", "extractive", False),
        replies_eval.ReplyResult("e", "llm", False),
    ]
    report = replies_eval.summarise_abstention(results)
    assert (report.not_found.hits, report.off_corpus.hits, report.holding.hits) == (2, 2, 1)
    assert report.not_found.total == 5


def test_a_folder_digest_follows_its_article_files_only(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "corpus")
    first = path_digest(folder)
    (folder / "README.md").write_text("edited", encoding="utf-8")
    assert path_digest(folder) == first
    (folder / "news.jsonl").write_text(json.dumps(FOREIGN[0]) + "\n", encoding="utf-8")
    assert path_digest(folder) != first
    assert path_digest(folder / "news.jsonl") != path_digest(folder)


def test_eval_asks_the_questions_of_another_corpus_and_counts_abstentions(
    runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = write_dir(tmp_path / "rtqa")
    corpus = write_corpus(tmp_path / "corpus")
    assert eval_foreign.run_foreign(runtime, questions, corpus) == 0
    out = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(out[-1])
    assert summary["n_questions"] == 4
    counted = summary["not_found"] + summary["off_corpus_answers"]
    assert counted + summary["replies_holding_answer"] == 4
    # The Squid Game question is the one this corpus covers.
    assert summary["replies_holding_answer"] == 1
    assert sum(summary["reply_modes"].values()) == 4
    assert any(line.startswith("off-corpus answers") for line in out)
    assert "index built in" in "\n".join(out)
    cached = list((tmp_path / "data" / "eval").glob("corpus-*"))
    assert len(cached) == 1

    # Warm: the cached index is reused.
    assert eval_foreign.run_foreign(runtime, questions, corpus, limit=2) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert json.loads(out[-1])["n_questions"] == 2
    assert "index cached" in "\n".join(out)


def test_eval_refuses_a_missing_corpus(runtime: Runtime, tmp_path: Path) -> None:
    questions = write_dir(tmp_path / "rtqa")
    with pytest.raises(BadInputError, match="no such file or folder"):
        eval_foreign.run_foreign(runtime, questions, tmp_path / "absent")


REALTIMEQA = Path(__file__).resolve().parents[3] / "shared" / "data" / "realtimeqa"


def test_the_shared_questions_load_when_present() -> None:
    """The measure runs on ../shared/data when it exists; skipped cleanly when it does not."""
    if not (REALTIMEQA / "questions.jsonl").is_file():
        pytest.skip("../shared/data is absent")
    from retrieval.realtimeqa_files import load_questions

    questions = load_questions(REALTIMEQA / "questions.jsonl", {})
    assert len(questions) == 399
    assert all(q.asked_on >= date(2022, 1, 1) for q in questions)
