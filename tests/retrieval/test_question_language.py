"""Which questions read as English: English ones about foreign news must, others not."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from retrieval.question_language import (
    english_share,
    is_multilingual_model,
    judged_words,
    looks_english,
    other_script_share,
)

# English questions full of foreign names (and two written in lower case).
ENGLISH = [
    "What did Olaf Scholz say about Nord Stream?",
    "Was Navalny poisoned?",
    "Why did Liz Truss resign?",
    "Has Erdogan approved Finland's NATO bid?",
    "Who won the election in Brazil, Lula or Bolsonaro?",
    "What happened in Zaporizhzhia?",
    "Did Putin annex Kherson?",
    "Where is Giorgia Meloni from?",
    "How many people died in the Itaewon crush?",
    "What did Xi Jinping say at the party congress?",
    "Is Volodymyr Zelensky meeting Emmanuel Macron?",
    "What is Rishi Sunak's plan for the economy?",
    "Why was Shinzo Abe killed?",
    "When will Gustavo Petro take office in Colombia?",
    "What did Pedro Sánchez say about energy prices?",
    "Who is Ursula von der Leyen?",
    "Did Mohammed bin Salman meet Biden in Jeddah?",
    "What does Lula da Silva promise?",
    "Why are farmers protesting in the Netherlands?",
    "what did scholz say about gazprom",
    "was navalny moved to a penal colony",
    "How did Sri Lanka's Gotabaya Rajapaksa flee?",
    "Is Jair Bolsonaro conceding?",
    "What did Ayatollah Khamenei say about the protests?",
    "Where did Mahsa Amini die?",
    "What did Sergei Lavrov tell the UN?",
    "Who is Gabriel Boric?",
    "Did Boris Johnson survive the no-confidence vote?",
    "Does Kylian Mbappé stay at Paris Saint-Germain?",
    "Why did Mario Draghi resign?",
]

OTHER = [
    "Was hat Biden zur Aussetzung der Benzinsteuer gesagt?",
    "Warum ist Liz Truss zurückgetreten?",
    "Wie viele Menschen sind bei der Massenpanik in Seoul gestorben?",
    "Qu'a dit Biden sur la suspension de la taxe sur l'essence ?",
    "Pourquoi Liz Truss a-t-elle démissionné ?",
    "Combien de personnes sont mortes à Itaewon ?",
    "¿Qué dijo Biden sobre la suspensión del impuesto a la gasolina?",
    "¿Por qué renunció Liz Truss?",
    "¿Quién ganó las elecciones en Brasil?",
    "바이든은 유류세 면제에 대해 뭐라고 말했나요?",
    "이태원 참사로 몇 명이 사망했나요?",
    "Что Байден сказал о приостановке налога на бензин?",
    "Почему ушла в отставку Лиз Трасс?",
    "拜登对暂停汽油税说了什么？",
    "特拉斯为什么辞职？",
]


class FakeStats:
    """Keyword-index statistics: given document frequencies over `chunks` chunks."""

    def __init__(self, frequencies: dict[str, int], chunks: int) -> None:
        self.frequencies = frequencies
        self.chunks = chunks
        self.asked: list[str] = []

    def document_frequencies(self, terms: Sequence[str]) -> tuple[list[int], int]:
        self.asked.extend(terms)
        return [self.frequencies.get(t, 0) for t in terms], self.chunks


def test_thirty_english_questions_with_foreign_names_read_as_english() -> None:
    refused = [q for q in ENGLISH if not looks_english(q)]
    assert len(ENGLISH) == 30
    assert refused == []


def test_fifteen_questions_in_six_other_languages_do_not() -> None:
    accepted = [q for q in OTHER if looks_english(q)]
    assert len(OTHER) == 15
    assert accepted == []


def test_scripts() -> None:
    assert other_script_share("이태원 참사로 몇 명이 사망했나요?") == 1.0
    assert other_script_share("Pourquoi Liz Truss a-t-elle démissionné ?") == 0.0
    assert other_script_share("Did 习近平 visit Moscow?") < 0.5
    assert looks_english("Did 习近平 visit Moscow?")
    assert other_script_share("?!") == 0.0


def test_names_after_the_first_word_are_not_judged() -> None:
    assert judged_words("Did Mohammed bin Salman meet Biden in Jeddah?") == [
        "did",
        "bin",
        "meet",
        "in",
    ]
    # German capitalises nouns: its small words remain.
    assert judged_words("Warum ist Liz Truss zurückgetreten?") == ["warum", "ist", "zurückgetreten"]
    # All capitals: every word is judged.
    assert judged_words("WHY DID TRUSS RESIGN") == ["why", "did", "truss", "resign"]


@pytest.mark.parametrize(
    "question", ["Navalny?", "Scholz", "Erdogan Sweden?", "Warum Truss?", "", "2022"]
)
def test_too_few_words_read_as_english(question: str) -> None:
    assert english_share(question) is None
    assert looks_english(question)


def test_common_words_of_the_indexed_news_count_as_english() -> None:
    question = "approved sanctions against gazprom?"
    assert not looks_english(question)
    news = FakeStats({"approved": 900, "sanctions": 400}, chunks=40_000)
    assert looks_english(question, news)
    # A small index cannot tell common words from rare ones.
    assert not looks_english(question, FakeStats(news.frequencies, chunks=200))


def test_short_words_of_the_news_do_not_count() -> None:
    # English news holds "los", "las", "des" in names (Los Angeles, Las Vegas, Des Moines).
    news = FakeStats({"los": 900, "las": 500, "des": 500, "impuestos": 0}, chunks=40_000)
    question = "¿Qué dijo Biden sobre los impuestos?"
    assert not looks_english(question, news)
    assert "los" not in news.asked


def test_english_questions_do_not_consult_the_index() -> None:
    news = FakeStats({}, chunks=40_000)
    assert looks_english("What did Olaf Scholz say about Nord Stream?", news)
    assert news.asked == []


@pytest.mark.parametrize(
    ("name", "multilingual"),
    [
        ("all-MiniLM-L6-v2", False),
        ("sentence-transformers/all-mpnet-base-v2", False),
        ("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2", True),
        ("intfloat/multilingual-e5-small", True),
        ("sentence-transformers/LaBSE", True),
        ("BAAI/bge-m3", True),
        ("/models/paraphrase-xlm-r-multilingual-v1/", True),
        ("BAAI/bge-small-en-v1.5", False),
    ],
)
def test_multilingual_models_by_name(name: str, multilingual: bool) -> None:
    assert is_multilingual_model(name) is multilingual
