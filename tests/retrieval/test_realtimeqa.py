"""The RealTime QA measuring stick: metrics on hand-made data, and the command end to end."""

from __future__ import annotations

import argparse
import json
import lzma
import os
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot import cli_eval
from bot.eval_cache import cache_key
from bot.runtime import Runtime
from bot.settings import Settings
from index.embedding import HashingEmbedder
from index.errors import BadInputError
from retrieval import realtimeqa as rtqa
from retrieval import realtimeqa_replies as replies_eval
from retrieval.types import Answer, AnswerMode, Passage

# -- pure metrics -------------------------------------------------------------------------


def test_normalize_answer_strips_quotes_punctuation_and_case() -> None:
    assert rtqa.normalize_answer("“Squid Game”") == "squid game"
    assert rtqa.normalize_answer("  U.S. Open's   final!") == "u s open s final"
    assert rtqa.normalize_answer("$1,000") == "1 000"
    assert rtqa.normalize_answer("Ｆｕｌｌ-width") == "full width"


def test_holds_answer_matches_whole_words_only() -> None:
    text = rtqa.normalize_answer("Police said the “Squid Game” sequel starts in 2024.")
    assert rtqa.holds_answer(text, [rtqa.normalize_answer("Squid Game")])
    assert rtqa.holds_answer(text, ["x", "2024"])
    assert not rtqa.holds_answer(text, ["ice"])  # inside "police"
    assert not rtqa.holds_answer(text, ["game sequel starts in 2"])
    assert not rtqa.holds_answer(text, [""])


def passage(article_id: int, text: str, url: str | None = None) -> Passage:
    return Passage(
        chunk_id=article_id * 10,
        article_id=article_id,
        title="t",
        source="CNN",
        published_at=None,
        url=url,
        text=text,
        score=1.0,
    )


def test_judge_ranks_articles_by_their_best_chunk() -> None:
    question = rtqa.Question(
        id="q",
        text="Which show?",
        answers=("“Squid Game”",),
        asked_on=date(2022, 6, 16),
        gold_urls=("https://cnn.com/squid",),
    )
    passages = [
        passage(1, "Friends reunion.", "https://cnn.com/friends"),
        passage(1, "More on Friends.", "https://www.cnn.com/friends/"),
        passage(2, "Nothing here.", None),
        passage(3, "Squid Game is back.", "http://www.cnn.com/squid"),
    ]
    result = rtqa.judge(question, passages)
    assert result.gold_rank == 3  # friends, article:2, squid
    assert result.answer_rank == 4  # chunk ranks count every passage
    assert rtqa.judge(question, passages, k=2).gold_rank is None
    no_gold = rtqa.judge(rtqa.Question("q", "?", ("x",), date(2022, 1, 1), ()), passages)
    assert not no_gold.has_gold
    assert no_gold.gold_rank is None
    assert no_gold.answer_rank is None


def test_chunk_answer_recall_reads_only_the_retrieved_chunk() -> None:
    question = rtqa.Question("q", "How many?", ("38%",), date(2022, 6, 16), ())
    chunk = "The report surveyed 93,000 people."
    widened = f"Avoidance grew. {chunk} It found 38% avoid the news."
    start = widened.index(chunk)
    passages = [
        replace(passage(1, widened), span=(start, start + len(chunk))),
        passage(2, "Elsewhere 38% said so."),
    ]
    assert rtqa.chunk_text(passages[0]) == chunk
    assert rtqa.chunk_text(passages[1]) == passages[1].text
    result = rtqa.judge(question, passages)
    assert (result.answer_rank, result.chunk_answer_rank) == (1, 2)
    report = rtqa.summarise([result])
    assert report.figures["answer_recall@5"] == rtqa.Figure(1, 1)
    assert report.figures["chunk_answer_recall@5"] == rtqa.Figure(1, 1)
    assert rtqa.judge(question, passages, k=1).chunk_answer_rank is None


def test_summarise_computes_hits_mrr_and_answer_recall() -> None:
    results = [
        rtqa.QuestionResult("a", True, 1, 1),
        rtqa.QuestionResult("b", True, 4, 7),
        rtqa.QuestionResult("c", True, None, None),
        rtqa.QuestionResult("d", False, None, 5),
    ]
    report = rtqa.summarise(results)
    assert (report.n_gold, report.n_questions) == (3, 4)
    assert report.figures["hits@1"] == rtqa.Figure(1, 3)
    assert report.figures["hits@5"] == rtqa.Figure(2, 3)
    assert report.figures["hits@10"].value == pytest.approx(2 / 3)
    assert report.figures["mrr@10"].value == pytest.approx((1 + 1 / 4) / 3)
    assert report.figures["answer_recall@5"] == rtqa.Figure(2, 4)
    assert report.figures["answer_recall@10"] == rtqa.Figure(3, 4)
    assert report.figures["chunk_answer_recall@10"] == rtqa.Figure(0, 4)  # none given
    line = json.loads(rtqa.report_json(report, model="m", index="i"))
    assert list(line) == [
        *("hits@1", "hits@5", "hits@10", "mrr@10", "answer_recall@5", "answer_recall@10"),
        *("chunk_answer_recall@5", "chunk_answer_recall@10"),
        *("n_gold", "n_questions", "model", "index"),
    ]
    assert line["mrr@10"] == round((1 + 1 / 4) / 3, 4)


def test_answer_ceiling_respects_the_as_of_date() -> None:
    corpus = [
        rtqa.CorpusArticle("a", None, date(2022, 6, 20), "Monarch butterflies are endangered."),
        rtqa.CorpusArticle("b", None, None, "Undated: the Netherlands won Euro 2017."),
    ]
    early = rtqa.Question("1", "?", ("Monarch butterflies",), date(2022, 6, 19), ())
    late = rtqa.Question("2", "?", ("monarch butterflies",), date(2022, 6, 20), ())
    undated = rtqa.Question("3", "?", ("Netherlands",), date(2000, 1, 1), ())
    assert rtqa.answer_ceiling([early, late, undated], corpus) == rtqa.Figure(2, 3)


def test_end_of_day_and_parse_day() -> None:
    assert rtqa.end_of_day(date(2022, 6, 16)) == datetime(2022, 6, 16, 23, 59, 59, 999999, UTC)
    assert rtqa.parse_day("2022/06/16") == date(2022, 6, 16)
    assert rtqa.parse_day("2022-06-17/16:34") == date(2022, 6, 17)
    assert rtqa.parse_day("2022/13/40") is None
    assert rtqa.parse_day(None) is None


# -- the command end to end ---------------------------------------------------------------

ARTICLES = [
    {
        "id": "rtqa-squid",
        "title": "'Squid Game': Netflix green lights season 2",
        "source": "CNN",
        "published_at": "2022/06/12",
        "url": "https://www.cnn.com/2022/06/12/media/squid-game-season-2/index.html",
        "body": "Squid Game is officially coming back.\n\nNetflix announced Sunday that the "
        "wildly popular South Korean show Squid Game is green lit for a second season.",
    },
    {
        "id": "rtqa-charger",
        "title": "EU agrees on a common charger for phones",
        "source": "CNN",
        "published_at": "2022/06/07",
        "url": "https://www.cnn.com/2022/06/07/tech/eu-common-charger/index.html",
        "body": "European Union lawmakers agreed that Apple and other smartphone makers "
        "must support USB-C, a single common charging port, by 2024 across Europe.",
    },
    {
        "id": "rtqa-monarch",
        "title": "Monarch butterflies listed as endangered",
        "source": "USA Today",
        "published_at": "2022/07/21",
        "url": "https://www.usatoday.com/story/news/2022/07/21/monarch-butterfly-endangered/",
        "body": "Scientists placed the migratory monarch butterfly on the endangered list "
        "of the International Union for Conservation of Nature on Thursday.",
    },
    {
        "id": "rtqa-empty",
        "title": None,
        "source": "The Week",
        "published_at": None,
        "url": "https://theweek.com/empty",
        "body": "",
    },
    *(
        {
            "id": f"rtqa-noise{i}",
            "title": None,
            "source": "USA Today",
            "published_at": "2022/06/01",
            "url": f"https://www.usatoday.com/noise/{i}",
            "body": text,
        }
        for i, text in enumerate(
            [
                "The central bank left interest rates unchanged on Thursday.",
                "Heavy snow closed mountain passes and delayed trains in the north.",
                "A football club signed a young striker from Brazil for a record fee.",
            ]
        )
    ),
]


def question(qid: str, text: str, answer: str, day: str, gold: list[str]) -> dict:
    return {
        "id": qid,
        "question": text,
        "answer": answer,
        "choices": [answer, "Other"],
        "answer_index": [0],
        "question_date": day,
        "evidence": {"text": "", "links": [], "article_ids": gold},
    }


QUESTIONS = [
    question("q1", "Which popular Netflix show was green lit for a second season?",
             "“Squid Game”", "2022/06/16", ["rtqa-squid"]),
    question("q2", "Which continent will require smartphone makers to support a common "
             "charging port?", "Europe", "2022/06/16", ["rtqa-charger"]),
    # Asked before the monarch article was published: the as-of rule hides it.
    question("q3", "Scientists placed which insect on the endangered list?",
             "monarch butterfly", "2022/07/14", ["rtqa-monarch"]),
    question("q4", "Which insect was placed on the endangered list this week?",
             "Monarch butterfly", "2022/07/22", []),
]  # fmt: skip


def write_dir(folder: Path) -> Path:
    folder.mkdir()
    with lzma.open(folder / "articles.jsonl.xz", "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(record) + "\n" for record in ARTICLES)
    (folder / "questions.jsonl").write_text(
        "".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8"
    )
    return folder


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", database_url="")
    return Runtime(settings, embedder=HashingEmbedder(dimension=256))


def test_eval_command_scores_a_small_folder_and_reuses_its_index(
    runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_dir(tmp_path / "rtqa")
    assert cli_eval.run_realtimeqa(runtime, folder) == 0
    out = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(out[-1])
    assert figures["n_questions"] == 4
    assert figures["n_gold"] == 3
    assert figures["model"] == "hashing-test"
    assert figures["index"] == "faiss-flat+bm25"
    # q1 and q2 find their gold article first; q3 cannot see it (published after).
    assert figures["hits@1"] == pytest.approx(2 / 3, abs=1e-4)
    assert figures["hits@10"] == pytest.approx(2 / 3, abs=1e-4)
    assert figures["mrr@10"] == pytest.approx(2 / 3, abs=1e-4)
    # Answers: q1, q2 and q4 (monarch visible on 07/22); q3's answer is not visible yet.
    assert figures["answer_recall@10"] == pytest.approx(3 / 4)
    text = "\n".join(out)
    assert "answer ceiling" in text
    assert "(3/4)" in text
    assert "as of:" in text
    assert "index built in" in text
    cached = list((tmp_path / "data" / "eval").glob("realtimeqa-*"))
    assert len(cached) == 1

    def no_rebuild(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cached index was rebuilt")

    import bot.cli_index

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bot.cli_index, "run_ingest", no_rebuild)
        assert cli_eval.run_realtimeqa(runtime, folder, limit=2) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert json.loads(out[-1])["n_questions"] == 2
    assert "index cached" in "\n".join(out)


def test_eval_command_with_answers_judges_the_bots_own_replies(
    runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_dir(tmp_path / "rtqa")
    assert cli_eval.run_realtimeqa(runtime, folder, answers=True) == 0
    out = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(out[-1])
    # No LLM configured: extractive replies. q3's article is hidden as of its date, so the
    # bot says it does not know; the three others quote the sentence holding the answer.
    assert figures["reply_modes"] == {"extractive": 3, "not_found": 1}
    assert figures["reply_answer_recall"] == pytest.approx(3 / 4)
    assert any(line.startswith("reply answer recall") and "(3/4)" in line for line in out)


def test_judge_reply_reads_the_reply_text_only() -> None:
    q = rtqa.Question("q", "How many?", ("12",), date(2022, 6, 1), ())
    citations: tuple = ()
    holding = Answer("Officials counted 12 cases [1].", citations, AnswerMode.EXTRACTIVE, "q")
    # A reply citing source [12] does not say "12".
    missing = Answer("Officials counted many cases [12].", citations, AnswerMode.EXTRACTIVE, "q")
    assert replies_eval.judge_reply(q, holding).holds_answer
    assert not replies_eval.judge_reply(q, missing).holds_answer
    report = replies_eval.summarise_replies(
        [replies_eval.judge_reply(q, holding), replies_eval.judge_reply(q, missing)]
    )
    assert (report.recall.hits, report.recall.total) == (1, 2)
    assert report.modes == {"extractive": 2}


def test_cache_key_follows_chunking_and_the_articles_content(
    runtime: Runtime, tmp_path: Path
) -> None:
    folder = write_dir(tmp_path / "rtqa")
    articles = folder / "articles.jsonl.xz"
    key = cache_key(runtime, articles)
    assert cache_key(runtime, articles) == key
    smaller = Runtime(
        runtime.settings.model_copy(update={"chunk_words": 120}), embedder=runtime.embedder
    )
    assert cache_key(smaller, articles) != key
    os.utime(articles, ns=(1, 1))  # touched or copied, same bytes: the cache still serves
    assert cache_key(runtime, articles) == key
    with lzma.open(articles, "at", encoding="utf-8") as handle:
        handle.write(json.dumps({**ARTICLES[0], "id": "x", "url": "https://x.com/a"}) + "\n")
    assert cache_key(runtime, articles) != key


def test_eval_command_refuses_a_folder_without_the_files(runtime: Runtime, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadInputError, match=r"lacks articles\.jsonl\.xz and questions\.jsonl"):
        cli_eval.run_realtimeqa(runtime, tmp_path / "empty")
    assert not (tmp_path / "data" / "eval").exists()


# -- `newsbot eval alerts` wiring ---------------------------------------------------------

AG_ITEMS = [
    ("Business", "Stocks fall as oil prices rise", "Shares on Wall Street fell as crude climbed."),
    ("Business", "Bank profits beat forecasts", "The bank reported higher quarterly profits."),
    ("Sports", "Striker scores twice in final", "The football club won the cup final 2-0."),
    ("Sports", "Tennis star wins the open", "She won the tennis final in three sets."),
]


def test_eval_alerts_runs_the_alert_matcher_on_a_folder(
    runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "ag"
    folder.mkdir()
    (folder / "articles.jsonl").write_text(
        "".join(json.dumps({"title": t, "body": b, "category": c}) + "\n" for c, t, b in AG_ITEMS),
        encoding="utf-8",
    )
    (folder / "topics.json").write_text(
        json.dumps({"Business": "business and markets", "Sports": "sports"}), encoding="utf-8"
    )
    args = cli_eval_args("alerts", str(folder), "--threshold", "0.3")
    assert cli_eval.dispatch(runtime, args) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert "Business" in "\n".join(out)
    assert isinstance(json.loads(out[-1]), dict)
    assert list((tmp_path / "data" / "eval").glob("alert-eval-*"))  # item vectors cached
    with pytest.raises(BadInputError):
        cli_eval.dispatch(runtime, cli_eval_args("alerts", str(tmp_path / "missing")))


def cli_eval_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command")
    cli_eval.register(commands)
    return parser.parse_args(["eval", *argv])
