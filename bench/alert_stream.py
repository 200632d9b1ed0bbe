"""Topic alerts on a realistic stream: what each subscription is sent, batch by batch.

QA's precision check, replayed without the bot: a chat subscribes to topics users type,
then batches of news are indexed one after the other; after each batch the matcher runs on
that batch's articles, its background being the articles indexed so far (the newest
`BACKGROUND_SIZE`), with the candidates re-scored without the outlet, as in the bot. Each
alert is printed with its score, its route ("direct" when the cosine alone passes the
direct threshold, else "corpus") and the article's title, to be read by eye.

    python bench/alert_stream.py [--judged FILE] [--topics "a;b;c"] [BATCH.jsonl ...]

BATCH files are JSON Lines news records (title, body, url, source, published_at); default:
QA's three batches of RealTime QA articles (/tmp/qa9/stream). `--judged` names a JSON file
{topic: [article numbers about it]} (numbers as printed by `--list`, over all batches in
order) written by reading the titles; with it, each topic's line says how many alerts were
about the topic and how many of the stream's articles on it were sent. The background
holds the articles' texts (for the lexical guard, `alert_lexicon`) unless `--no-words`;
`--anchor-precision off` turns the guard off. Development only.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.embedding import SentenceTransformerEmbedder
from retrieval.alert_background import article_vectors, build_background
from retrieval.alert_data import embed_items, known_chunks, load_labelled_items
from retrieval.alert_defaults import ANCHOR_PRECISION, BACKGROUND_SIZE, DIRECT_THRESHOLD
from retrieval.alert_profiles import CorpusSettings
from retrieval.alerts import AlertTopic, NewArticles, build_topic_set, match_articles
from retrieval.topic_embedding import embed_topic

STREAM = Path("/tmp/qa9/stream")
CACHE = Path(tempfile.gettempdir()) / "newsbot-alert-cache"
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("batches", nargs="*", type=Path)
    parser.add_argument("--topics", help="topics separated by ';'")
    parser.add_argument("--judged", type=Path, help="JSON {topic: [article numbers]}")
    parser.add_argument("--list", action="store_true", help="print the numbered titles only")
    parser.add_argument("--quiet", action="store_true", help="per-topic counts only")
    parser.add_argument(
        "--anchor-precision",
        default=str(ANCHOR_PRECISION),
        help="the lexical guard's anchor precision, or 'off' (no guard)",
    )
    parser.add_argument("--no-words", action="store_true", help="background without texts")
    args = parser.parse_args(argv)
    batches = args.batches or sorted(STREAM.glob("batch*.jsonl"))
    if not batches:
        print("skipped: no stream batches found")
        return 0
    topics = [t.strip() for t in args.topics.split(";")] if args.topics else list(TOPICS)
    precision = None if args.anchor_precision == "off" else float(args.anchor_precision)
    corpus = CorpusSettings(anchor_precision=precision)
    judged: dict[str, list[int]] = json.loads(args.judged.read_text()) if args.judged else {}

    work = Path(tempfile.mkdtemp(prefix="alert-stream-"))
    with (work / "articles.jsonl").open("w", encoding="utf-8") as out:
        for number, path in enumerate(batches):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    out.write(json.dumps({**json.loads(line), "category": f"{number:03d}"}) + "\n")
    items = load_labelled_items(work)
    if args.list:
        pairs = zip(items.articles, items.categories, strict=True)
        for number, (article, batch) in enumerate(pairs):
            print(f"{number:4d} b{int(batch) + 1} {article.title[:100]}")
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
        topic_set = build_topic_set(subscriptions, background, corpus)
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
        good = sum(1 for a, _ in alerts if a in about)
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
            mark = (" +" if article in about else " -") if topic in judged else ""
            title = items.articles[article].title[:80]
            print(f"  {article:4d} {score:6.3f} {route}{mark} {title}")
    if judged:
        share = total_good / total_sent if total_sent else 0.0
        print(f"all topics: {total_sent} alerts, {total_good} about their topic ({share:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
