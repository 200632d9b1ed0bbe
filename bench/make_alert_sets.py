"""Write extra topic-alert evaluation directories from the shared data (development only).

AG News alone would let a threshold fit its four categories and phrases. These sets check
that the shipped default holds on categories and phrases it was not chosen on:

- `rtqa-sections`: RealTime QA articles (CNN, USA Today, The Week, 2022; long, several
  chunks each) labelled by the section in their URL (/sport/, /politics/, /business/ ...),
  nine categories, phrases written here.
- `rtqa-narrow`: the same corpus, narrow topics a user would follow (tennis, NFL, movies,
  airlines ...), from finer URL sections.
- `agnews-names`: AG News with no topics.json (the category names are the phrases).
- `agnews-rephrased`: AG News with other phrases than its topics.json.

Each directory has the shape `newsbot eval alerts DIR` reads. Nothing here is copied into
the repository: the output goes to a temporary folder unless told otherwise.

    python bench/make_alert_sets.py [OUT_DIR]
"""

from __future__ import annotations

import json
import lzma
import random
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_OUT = Path(tempfile.gettempdir()) / "newsbot-alert-sets"
PER_CATEGORY = 100  # long articles: caps the embedding time of a set (~9 chunks each)
SEED = 20220617

SECTION_TOPICS = {
    "Sports": "sports",
    "Politics": "politics and government",
    "Business": "the economy and business",
    "Technology": "technology and tech companies",
    "Health": "health and medicine",
    "Entertainment": "movies, music, TV and celebrities",
    "World": "international news",
    "Travel": "travel and tourism",
    "Weather": "weather and storms",
}

NARROW_TOPICS = {
    "Tennis": "tennis",
    "Baseball": "baseball",
    "American football": "NFL football",
    "Ice hockey": "NHL hockey",
    "Basketball": "basketball",
    "Soccer": "soccer",
    "Music": "music and musicians",
    "Movies": "movies and film",
    "Television": "TV shows",
    "Cars": "cars and the auto industry",
    "Food": "food and restaurants",
    "Airlines": "airlines and air travel",
}

AGNEWS_REPHRASED = {
    "World": "international politics, wars and diplomacy",
    "Sports": "sport results and athletes",
    "Business": "economy, finance and corporate news",
    "Sci/Tech": "computers, the internet, space and science",
}

_WORLD = {"world", "europe", "asia", "americas", "middleeast", "africa", "china", "australia", "uk"}


def _parts(url: str) -> list[str]:
    return url.split("?")[0].split("/")[3:]


def section_of(url: str) -> str | None:
    """The broad section of a CNN, USA Today or The Week URL, or None when unclear."""
    parts = _parts(url)
    if "cnn.com" in url:
        if parts[:1] == ["travel"]:
            return "Travel"
        if len(parts) < 4 or not parts[0].isdigit():
            return None
        section = parts[3]
        table = {
            "sport": "Sports", "tennis": "Sports", "football": "Sports", "golf": "Sports",
            "politics": "Politics", "business": "Business", "investing": "Business",
            "economy": "Business", "tech": "Technology", "health": "Health",
            "entertainment": "Entertainment", "weather": "Weather",
        }  # fmt: skip
        return "World" if section in _WORLD else table.get(section)
    if "usatoday.com" in url and parts[:1] == ["story"] and len(parts) > 2:
        section, sub = parts[1], parts[2]
        if section == "sports":
            return "Sports"
        if section == "news":
            return {"politics": "Politics", "health": "Health", "world": "World"}.get(sub)
        if section == "money":
            return None if sub in {"food", "shopping", "reviewed"} else "Business"
        if section == "life" and sub in {"music", "movies", "tv"}:
            return "Entertainment"
        simple = {"entertainment": "Entertainment", "tech": "Technology", "travel": "Travel"}
        return simple.get(section, "Weather" if section == "weather" else None)
    if "theweek.com" in url and parts:
        return {
            "sport": "Sports", "politics": "Politics", "world-news": "World",
            "science-health": "Health", "technology": "Technology",
        }.get(parts[0])  # fmt: skip
    return None


def narrow_of(url: str) -> str | None:
    """A narrow topic from finer URL sections, or None."""
    parts = _parts(url)
    if "cnn.com" in url and len(parts) > 3 and parts[0].isdigit():
        return {"tennis": "Tennis", "football": "Soccer"}.get(parts[3])
    if "usatoday.com" in url and parts[:1] == ["story"] and len(parts) > 2:
        key = f"{parts[1]}/{parts[2]}"
        return {
            "sports/tennis": "Tennis", "sports/mlb": "Baseball", "sports/nfl": "American football",
            "sports/nhl": "Ice hockey", "sports/nba": "Basketball", "sports/wnba": "Basketball",
            "sports/soccer": "Soccer", "entertainment/music": "Music", "life/music": "Music",
            "entertainment/movies": "Movies", "life/movies": "Movies",
            "entertainment/tv": "Television", "life/tv": "Television", "money/cars": "Cars",
            "money/food": "Food", "travel/airline-news": "Airlines",
        }.get(key)  # fmt: skip
    return None


def _write_set(
    out: Path, records: list[dict], label: Callable[[str], str | None], topics: dict[str, str]
) -> None:
    by_category: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        category = label(record.get("url") or "")
        if category and (record.get("body") or "").strip():
            by_category[category].append(record)
    rng = random.Random(SEED)
    chosen: list[dict] = []
    for category in sorted(by_category):
        group = by_category[category]
        rng.shuffle(group)
        for record in group[:PER_CATEGORY]:
            chosen.append({**record, "category": category})
    rng.shuffle(chosen)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "articles.jsonl").open("w", encoding="utf-8") as stream:
        for record in chosen:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    present = {k: v for k, v in topics.items() if k in by_category}
    (out / "topics.json").write_text(json.dumps(present, indent=1) + "\n", encoding="utf-8")
    counts = {c: min(len(g), PER_CATEGORY) for c, g in sorted(by_category.items())}
    print(f"{out.name}: {len(chosen)} items {counts}")


def _agnews_variant(out: Path, topics: dict[str, str] | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    link = out / "articles.jsonl"
    if not link.exists():
        link.symlink_to(DATA / "ag-news" / "articles.jsonl")
    topics_path = out / "topics.json"
    if topics is None:
        topics_path.unlink(missing_ok=True)
    else:
        topics_path.write_text(json.dumps(topics, indent=1) + "\n", encoding="utf-8")
    print(f"{out.name}: AG News, phrases {topics or 'category names'}")


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    source = DATA / "realtimeqa" / "articles.jsonl.xz"
    if not source.is_file():
        print(f"skipped: {source} is absent")
        return 0
    with lzma.open(source, "rt", encoding="utf-8") as stream:
        records = [json.loads(line) for line in stream if line.strip()]
    _write_set(out / "rtqa-sections", records, section_of, SECTION_TOPICS)
    _write_set(out / "rtqa-narrow", records, narrow_of, NARROW_TOPICS)
    if (DATA / "ag-news" / "articles.jsonl").is_file():
        _agnews_variant(out / "agnews-names", None)
        _agnews_variant(out / "agnews-rephrased", AGNEWS_REPHRASED)
    return 0


if __name__ == "__main__":
    sys.exit(main())
