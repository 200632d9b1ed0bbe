"""Topic alerts on a realistic stream: what each subscription is sent, batch by batch.

QA's precision check, replayed without the bot: a chat subscribes to topics users type,
then batches of news are indexed one after the other; after each batch the matcher runs on
that batch's articles, its background being the articles indexed so far (the newest
`BACKGROUND_SIZE`), with the candidates re-scored without the outlet, as in the bot. Each
alert is printed with its score, its route ("direct" when the cosine alone passes the
direct threshold, else "corpus") and the article's title, to be read by eye.

    python bench/alert_stream.py [--judged FILE] [--topics "a;b;c"] [--ids FILE]

The stream is built from the shared RealTime QA corpus ($NEWSBOT_SHARED_DATA, else
../shared/data: realtimeqa/articles.jsonl.xz): the articles named by `alert_stream_ids.txt`
beside this script, in its order and batches. Those are QA's ninth-session stream, 300 of
the corpus's 505 articles of 16 Sep - 11 Nov 2022 in three date-ordered batches of 100
(chosen by QA, by no rule this script could redo: hence the list). An article's title is
the corpus's, or, where it has none, the first line of its body (as QA's batches had it).

`--judged` (default `alert_stream_judged.json` beside this script) is a JSON file
{topic: [ids of the stream's articles about it]}, written by reading them; each topic's
line then says how many alerts were about the topic and how many of the stream's articles
on it were sent. `--list` prints the numbered ids and titles only. The background holds
the articles' texts (for the lexical guard, `alert_lexicon`) unless `--no-words`;
`--anchor-precision off` turns the guard off. Development only: it says so in one line
and stops when the shared data is absent.
"""

from __future__ import annotations

import argparse
import json
import lzma
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import realtimeqa_articles
from index.embedding import SentenceTransformerEmbedder
from retrieval.alert_background import article_vectors, build_background
from retrieval.alert_data import embed_items, known_chunks, load_labelled_items
from retrieval.alert_defaults import ANCHOR_PRECISION, BACKGROUND_SIZE, DIRECT_THRESHOLD
from retrieval.alert_profiles import CorpusSettings
from retrieval.alerts import AlertTopic, NewArticles, build_topic_set, match_articles
from retrieval.topic_embedding import embed_topic

IDS = Path(__file__).with_name("alert_stream_ids.txt")
JUDGED = Path(__file__).with_name("alert_stream_judged.json")
CACHE = Path(tempfile.gettempdir()) / "newsbot-alert-cache"
TITLE_CHARS = 90  # an untitled article's title: its body's first line, cut here (as QA did)
# QA's topics (its 2nd run, and "Madison Cawthorn primary" of its 1st), then five narrow
# topics chosen, before any change, from the stream's own stories.
TOPICS = (
    "chips export controls",
    "North Korea missiles",
    "inflation",
    "Ukraine war",
    "Apple",
    "Madison Cawthorn primary",
    "Aaron Judge home run record",
    "Loretta Lynn",
    "Powerball jackpot",
    "Paul Pelosi attack",
    "Iran protests",
)


def read_batches(path: Path) -> list[list[str]]:
    """The ids of each batch, in order: one id a line, '# batch N' opening each batch
    (other '#' lines are comments)."""
    batches: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text.lower().startswith("# batch"):
            batches.append([])
        elif text and not text.startswith("#"):
            if not batches:
                batches.append([])
            batches[-1].append(text)
    return [batch for batch in batches if batch]


def stream_record(record: dict[str, object]) -> dict[str, object]:
    """A corpus record as a news record of the stream (the keys and order QA's batches had:
    the embedding cache is keyed by the records file)."""
    body = str(record.get("body") or "")
    title = record.get("title")
    if not isinstance(title, str) or not title.strip():
        first = next((line.strip() for line in body.splitlines() if line.strip()), "")
        title = first[:TITLE_CHARS]
    return {
        "title": title,
        "body": body,
        "url": record.get("url"),
        "source": record.get("source"),
        "published_at": str(record.get("published_at") or "").replace("/", "-") or None,
    }


def corpus_records(path: Path, wanted: set[str]) -> dict[str, dict[str, object]]:
    """The corpus records with these ids, by id."""
    found: dict[str, dict[str, object]] = {}
    with lzma.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                if record.get("id") in wanted:
                    found[record["id"]] = record
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=Path, default=IDS, help="the stream's ids, by batch")
    parser.add_argument("--topics", help="topics separated by ';'")
    parser.add_argument("--judged", type=Path, default=JUDGED, help="JSON {topic: [ids]}")
    parser.add_argument("--list", action="store_true", help="print the numbered titles only")
    parser.add_argument("--quiet", action="store_true", help="per-topic counts only")
    parser.add_argument(
        "--anchor-precision",
        default=str(ANCHOR_PRECISION),
        help="the lexical guard's anchor precision, or 'off' (no guard)",
    )
    parser.add_argument("--no-words", action="store_true", help="background without texts")
    args = parser.parse_args(argv)
    corpus = realtimeqa_articles()
    if not corpus.is_file():
        print(f"skipped: no RealTime QA articles at {corpus} (set NEWSBOT_SHARED_DATA)")
        return 0
    batches = read_batches(args.ids)
    ids = [article_id for batch in batches for article_id in batch]
    records = corpus_records(corpus, set(ids))
    missing = [article_id for article_id in ids if article_id not in records]
    if missing:
        print(f"{len(missing)} ids of {args.ids.name} not in {corpus.name}: {missing[:3]}")
        return 1
    topics = [t.strip() for t in args.topics.split(";")] if args.topics else list(TOPICS)
    precision = None if args.anchor_precision == "off" else float(args.anchor_precision)
    settings = CorpusSettings(anchor_precision=precision)
    judged: dict[str, list[str]] = (
        json.loads(args.judged.read_text(encoding="utf-8")) if args.judged.is_file() else {}
    )

    work = Path(tempfile.mkdtemp(prefix="alert-stream-"))
    with (work / "articles.jsonl").open("w", encoding="utf-8") as out:
        for number, batch in enumerate(batches):
            for article_id in batch:
                record = {**stream_record(records[article_id]), "category": f"{number:03d}"}
                out.write(json.dumps(record) + "\n")
    items = load_labelled_items(work)
    if items.skipped:
        print(f"{items.skipped} articles of the stream are unusable (no title or body)")
        return 1
    if args.list:
        pairs = zip(ids, items.articles, items.categories, strict=True)
        for number, (article_id, article, batch) in enumerate(pairs):
            print(f"{number:4d} {article_id} b{int(batch) + 1} {article.title[:90]}")
        return 0
    embedder = SentenceTransformerEmbedder(threads=2)
    embedded = embed_items(items, work, embedder=embedder, cache_dir=CACHE)
    rescorer = known_chunks(embedded, embedder)
    batch_of = np.array([int(c) for c in items.categories])
    chunk_owner = np.asarray(items.chunk_article_ids)
    _, all_vectors = article_vectors(embedded.chunk_vectors, chunk_owner)
    subscriptions = [
        AlertTopic(i, embed_topic(t, embedder), phrase=t) for i, t in enumerate(topics)
    ]
    sent: dict[int, list[tuple[int, float]]] = {i: [] for i in range(len(topics))}
    for batch in range(len(batches)):
        indexed = np.flatnonzero(batch_of <= batch)[-BACKGROUND_SIZE:]
        texts = [f"{items.articles[a].title}\n{items.articles[a].body}" for a in indexed]
        background = build_background(all_vectors[indexed], texts=None if args.no_words else texts)
        topic_set = build_topic_set(subscriptions, background, settings)
        members = np.flatnonzero(batch_of == batch)
        chunks = np.flatnonzero(np.isin(chunk_owner, members))
        articles = NewArticles(
            article_ids=members.tolist(),
            titles=[items.articles[a].title for a in members],
            bodies=[items.articles[a].body for a in members],
            chunk_vectors=embedded.chunk_vectors[chunks],
            chunk_article_ids=chunk_owner[chunks],
            chunk_texts=[items.chunk_texts[c] for c in chunks],
        )
        for match in match_articles(topic_set, articles, rescore_embedder=rescorer):
            sent[match.subscription_id].append((match.article_id, match.score))
        if batch == len(batches) - 1:
            anchors = {t: sorted(a) for t, a in zip(topics, topic_set.anchors, strict=True)}
            print(f"anchors on the last background: {anchors}")
    total_sent = total_good = 0
    for index, topic in enumerate(topics):
        alerts = sorted(sent[index], key=lambda pair: -pair[1])
        about = set(judged.get(topic, []))
        good = sum(1 for a, _ in alerts if ids[a] in about)
        total_sent += len(alerts)
        total_good += good
        line = f"{topic}: {len(alerts)} alerts"
        if topic in judged:
            line += f", {good} about it; {good} of the {len(about)} articles on it sent"
        print(line)
        if args.quiet:
            continue
        for article, score in alerts:
            route = "direct" if score >= DIRECT_THRESHOLD else "corpus"
            mark = (" +" if ids[article] in about else " -") if topic in judged else ""
            title = items.articles[article].title[:70]
            print(f"  {article:4d} {ids[article]} {score:6.3f} {route}{mark} {title}")
    if judged:
        share = total_good / total_sent if total_sent else 0.0
        print(f"all topics: {total_sent} alerts, {total_good} about their topic ({share:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
