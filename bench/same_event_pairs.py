"""Same event or not: precision and recall of the article-vector cosine, per threshold.

`bench/same_event_pairs.jsonl` holds 87 pairs of RealTime QA articles (QA's alert stream,
16 Sep - 11 Nov 2022) published within two days of each other, drawn across cosine bands
and labelled by reading titles and leads. "Same event" means both report one happening as
their news (a launch, a death, a verdict); a follow-up (tributes the same day, an analysis
the next, the shop owner who sold the winning ticket) is another event, and so is a daily
round-up. Copies of one text are same-event pairs too (they are one story already).

For each pair: the cosine of the two articles' vectors as alerts see them (the mean of
their chunk vectors, `bot/alerts_events.py`) and, for comparison, of title + first two
paragraphs embedded alone. A merge is a pair at or above the threshold; precision is the
share of merges that are one event, recall the share of one-event pairs merged.

    python bench/same_event_pairs.py

Needs the shared data (`$NEWSBOT_SHARED_DATA`, else ../shared/data); says so and stops
when it is absent. Loads the embedding model and embeds ~800 chunks (a minute on 2 cores).
"""

from __future__ import annotations

import json
import lzma
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import realtimeqa_articles
from index.chunking import chunk_article
from index.embedding import SentenceTransformerEmbedder
from index.types import Article
from retrieval.alert_background import article_vectors
from retrieval.same_event import SAME_EVENT_COSINE

PAIRS = Path(__file__).with_name("same_event_pairs.jsonl")
THRESHOLDS = (0.80, 0.85, 0.88, 0.90, 0.91, 0.92, 0.93, 0.94, 0.95)


def _article(record: dict[str, object]) -> Article:
    day = str(record.get("published_at") or "").replace("/", "-")
    return Article(
        title=str(record.get("title") or ""),
        body=str(record["body"]),
        source=str(record.get("source") or "") or None,
        published_at=datetime.fromisoformat(day) if day else None,
        url=str(record["url"]),
    )


def _lead(article: Article) -> str:
    paragraphs = [p.strip() for p in article.body.split("\n") if len(p.split()) >= 8]
    return "\n".join([article.title, *paragraphs[:2]])


def _vectors(
    articles: Sequence[Article], embedder: SentenceTransformerEmbedder
) -> tuple[np.ndarray, np.ndarray]:
    """(chunk-mean vectors, title+lead vectors), one row per article."""
    texts: list[str] = []
    owners: list[int] = []
    for i, article in enumerate(articles):
        for chunk in chunk_article(article):
            texts.append(chunk.embed_text)
            owners.append(i)
    _, means = article_vectors(embedder.embed(texts), np.asarray(owners, dtype=np.int64))
    return means, embedder.embed([_lead(a) for a in articles])


def _table(name: str, cosines: np.ndarray, same: np.ndarray) -> None:
    print(f"\n{name}: {int(same.sum())} same-event pairs of {len(same)}")
    print("  threshold  merged  wrong  precision  recall")
    for threshold in THRESHOLDS:
        merged = cosines >= threshold
        right = int((merged & same).sum())
        precision = right / merged.sum() if merged.any() else 1.0
        mark = "  <- SAME_EVENT_COSINE" if abs(threshold - SAME_EVENT_COSINE) < 1e-9 else ""
        print(
            f"  {threshold:9.2f}  {int(merged.sum()):6d}  {int(merged.sum()) - right:5d}"
            f"  {precision:9.2f}  {right / same.sum():6.2f}{mark}"
        )


def main() -> int:
    source = realtimeqa_articles()
    if not source.is_file():
        print(f"skipped: {source} is absent (shared RealTime QA data)")
        return 0
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    wanted = {p[k] for p in pairs for k in ("a", "b")}
    records: dict[str, Article] = {}
    with lzma.open(source, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["url"] in wanted:
                records[record["url"]] = _article(record)
    missing = wanted - records.keys()
    if missing:
        print(f"skipped: {len(missing)} labelled articles are not in {source.name}")
        return 0
    urls = sorted(records)
    row = {url: i for i, url in enumerate(urls)}
    means, leads = _vectors([records[u] for u in urls], SentenceTransformerEmbedder())
    a = np.asarray([row[p["a"]] for p in pairs])
    b = np.asarray([row[p["b"]] for p in pairs])
    same = np.asarray([bool(p["same_event"]) for p in pairs])
    _table("chunk-mean cosine (what alerts use)", (means[a] * means[b]).sum(axis=1), same)
    _table("title + lead cosine", (leads[a] * leads[b]).sum(axis=1), same)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
