from retrieval.merge import PASSAGE_JOINER, merge_by_article
from retrieval.types import Passage


def _passage(chunk_id: int, article_id: int, text: str, score: float) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        article_id=article_id,
        title=f"Article {article_id}",
        source="Outlet",
        published_at=None,
        url=None,
        text=text,
        score=score,
        similarity=score,
    )


def test_chunks_of_one_article_become_one_source_in_reading_order() -> None:
    ranked = [
        _passage(12, 1, "second part", 0.9),
        _passage(30, 2, "other article", 0.8),
        _passage(11, 1, "first part", 0.7),
    ]
    merged = merge_by_article(ranked)
    assert [p.article_id for p in merged] == [1, 2]
    assert merged[0].text == f"first part{PASSAGE_JOINER}second part"
    assert merged[0].chunk_id == 12  # the best chunk stays the representative
    assert merged[0].similarity == 0.9
    assert merged[1] == ranked[1]


def test_distinct_articles_unchanged() -> None:
    ranked = [_passage(1, 1, "a", 0.5), _passage(2, 2, "b", 0.4)]
    assert merge_by_article(ranked) == ranked


def test_texts_that_continue_each_other_join_without_the_repeat() -> None:
    ranked = [
        _passage(12, 1, "Trust fell in most markets. Readers rely on social media.", 0.9),
        _passage(11, 1, "The report found 38% avoid news. Trust fell in most markets.", 0.7),
    ]
    [merged] = merge_by_article(ranked)
    assert merged.text == (
        "The report found 38% avoid news. Trust fell in most markets. Readers rely on social media."
    )
    chance = [_passage(12, 1, "in 2022 rates rose.", 0.9), _passage(11, 1, "It was in 2022", 0.7)]
    assert merge_by_article(chance)[0].text == f"It was in 2022{PASSAGE_JOINER}in 2022 rates rose."
