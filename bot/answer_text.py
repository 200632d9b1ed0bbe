"""Answers as plain text and JSON for the command line (pure)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from retrieval.not_found import CLOSEST_HEADLINES
from retrieval.types import Answer, AnswerMode, Passage


def _date(moment: datetime | None) -> str | None:
    return moment.date().isoformat() if moment else None


def source_line(number: int, passage: Passage) -> str:
    meta = ", ".join(m for m in (passage.source, _date(passage.published_at)) if m)
    line = f"[{number}] {passage.title}" + (f" — {meta}" if meta else "")
    return line + (f"\n    {passage.url}" if passage.url else "")


def answer_as_text(answer: Answer) -> str:
    """The answer, then its numbered sources with outlet, date and URL.

    A "not found" answer lists its closest headlines once, under that name, not as sources.
    """
    closest = answer.mode is AnswerMode.NOT_FOUND and bool(answer.citations)
    text = answer.text.strip()
    parts = [text.partition(CLOSEST_HEADLINES)[0].strip() if closest else text]
    if answer.citations:
        header = CLOSEST_HEADLINES if closest else "Sources:"
        parts.append(
            header + "\n" + "\n".join(source_line(c.number, c.passage) for c in answer.citations)
        )
    return "\n\n".join(parts)


def passage_record(passage: Passage) -> dict[str, Any]:
    return {
        "chunk_id": passage.chunk_id,
        "article_id": passage.article_id,
        "title": passage.title,
        "url": passage.url,
        "source": passage.source,
        "published_at": passage.published_at.isoformat() if passage.published_at else None,
        "text": passage.text,
        "score": passage.score,
        "similarity": passage.similarity,
    }


def answer_as_json(answer: Answer) -> str:
    """Answer, citations and every ranked passage, for scripts and outside checks."""
    return json.dumps(
        {
            "answer": answer.text,
            "mode": str(answer.mode),
            "query": answer.query,
            "citations": [
                {"number": c.number, **passage_record(c.passage)} for c in answer.citations
            ],
            "passages": [passage_record(p) for p in answer.passages],
            "timings": answer.timings,
        },
        ensure_ascii=False,
        indent=2,
    )
