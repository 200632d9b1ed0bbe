"""Reading the RealTime QA files: the articles file and `questions.jsonl`, as JSON Lines
(optionally xz-compressed), into the records `retrieval/realtimeqa.py` measures with.

A line that is not a JSON object, or a question without its text or date, is a
BadInputError naming the file and line.
"""

from __future__ import annotations

import json
import lzma
from collections.abc import Iterator, Mapping
from pathlib import Path

from index.errors import BadInputError
from index.identity import normalize_url
from retrieval.realtimeqa import CorpusArticle, Question, parse_day


def _read_jsonl(path: Path) -> Iterator[dict]:
    opener = lzma.open if path.suffix == ".xz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadInputError(f"{path.name}:{number}: invalid JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise BadInputError(f"{path.name}:{number}: not a JSON object")
            yield record


def load_corpus(path: Path) -> list[CorpusArticle]:
    """Id, normalised URL, day and body of every record of the articles file."""
    articles = []
    for record in _read_jsonl(path):
        url = record.get("url")
        articles.append(
            CorpusArticle(
                id=str(record.get("id", "")),
                url=normalize_url(url) if isinstance(url, str) and url.strip() else None,
                published_on=parse_day(record.get("published_at")),
                body=record.get("body") if isinstance(record.get("body"), str) else "",
            )
        )
    return articles


def load_questions(path: Path, url_of: Mapping[str, str | None]) -> list[Question]:
    """Questions of `questions.jsonl`; gold article ids are mapped to URLs through `url_of`."""
    questions = []
    for number, record in enumerate(_read_jsonl(path), start=1):
        asked_on = parse_day(record.get("question_date"))
        text = record.get("question")
        if asked_on is None or not isinstance(text, str) or not text.strip():
            raise BadInputError(f"{path.name}:{number}: needs a question and a question_date")
        evidence = record.get("evidence") or {}
        gold = [url_of.get(str(i)) for i in evidence.get("article_ids") or ()]
        questions.append(
            Question(
                id=str(record.get("id", number)),
                text=text.strip(),
                answers=_answers(record),
                asked_on=asked_on,
                gold_urls=tuple(sorted({url for url in gold if url})),
            )
        )
    return questions


def _answers(record: dict) -> tuple[str, ...]:
    choices = record.get("choices") or []
    picked = [
        choices[i]
        for i in record.get("answer_index") or ()
        if isinstance(i, int) and 0 <= i < len(choices)
    ]
    answer = record.get("answer")
    texts = [answer] if isinstance(answer, str) else []
    return tuple(dict.fromkeys(str(t) for t in texts + picked if str(t).strip()))
