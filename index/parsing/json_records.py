"""JSON and JSON Lines article records.

A record is an object with `title`, `body` (or `text` / `content`) and optionally `url`,
`source`, `published_at` and `language`. A bad record is a failure of its own; the others go on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from index.errors import ParseError
from index.parsing.common import ParseItem, build_article, failure_from
from index.parsing.dates import parse_date
from index.parsing.decoding import decode_text, normalize_newlines
from index.types import Article, ParseFailure

logger = logging.getLogger(__name__)

MAX_LINE_BYTES = 50 * 1024 * 1024
_READ_CHUNK = 1024 * 1024

_BODY_KEYS = ("body", "text", "content")
_DATE_KEYS = ("published_at", "published", "publishedAt", "date", "pub_date", "pubDate")
_URL_KEYS = ("url", "link")
_LANGUAGE_KEYS = ("language", "lang")
_TOO_DEEP = "invalid JSON (nested too deeply)"
_LIST_KEYS = ("articles", "items", "records", "data")  # {"articles": [...]} wrappers


def record_to_article(record: object) -> Article:
    """One record to an Article; ParseError with a short reason when it cannot be one."""
    if not isinstance(record, dict):
        raise ParseError("record is not a JSON object")
    body = _first(record, _BODY_KEYS)
    if body is not None and not isinstance(body, str):
        raise ParseError("body is not text")
    title = _first(record, ("title", "headline"))
    return build_article(
        title=_text_or_none(title),
        body=normalize_newlines(body or ""),
        source=_source(record.get("source")),
        published_at=parse_date(_first(record, _DATE_KEYS)),
        url=_text_or_none(_first(record, _URL_KEYS)),
        language=_text_or_none(_first(record, _LANGUAGE_KEYS)),
    )


def iter_json_document(data: bytes, *, name: str) -> Iterator[ParseItem]:
    """A JSON file: one record, a list of records, or a {"articles": [...]} wrapper.

    A file that holds JSON Lines under a .json name is read as JSON Lines.
    """
    text = decode_text(data)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            yield from iter_jsonl_lines(iter(data.splitlines()), name=name)
            return
        yield ParseFailure(name=name, reason=f"invalid JSON (line {exc.lineno}: {exc.msg})")
        return
    except RecursionError:
        yield ParseFailure(name=name, reason=_TOO_DEEP)
        return
    records = _records_of(document)
    if records is None:
        yield _record_item(document, name=name)
        return
    if not records:
        yield ParseFailure(name=name, reason="no records in the JSON list")
    for index, record in enumerate(records, start=1):
        yield _record_item(record, name=f"{name}#{index}")


def iter_jsonl_lines(lines: Iterable[bytes | None], *, name: str) -> Iterator[ParseItem]:
    """JSON Lines: one record per line, blank lines skipped; a failure is named `file:line`.

    A None line stands for a line that was too long to read.
    """
    for number, raw in enumerate(lines, start=1):
        line_name = f"{name}:{number}"
        if raw is None:
            yield ParseFailure(name=line_name, reason="line is too long")
            continue
        if not raw.strip():
            continue
        try:
            record = json.loads(decode_text(raw))
        except json.JSONDecodeError as exc:
            yield ParseFailure(name=line_name, reason=f"invalid JSON ({exc.msg})")
            continue
        except RecursionError:
            yield ParseFailure(name=line_name, reason=_TOO_DEEP)
            continue
        yield _record_item(record, name=line_name)


def read_lines(stream: BinaryIO, *, limit: int = MAX_LINE_BYTES) -> Iterator[bytes | None]:
    """Lines of a binary stream, never holding more than `limit` bytes of one line.

    A longer line is skipped and reported as None so that line numbers stay right.
    """
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        while line and not line.endswith(b"\n"):  # drain the rest of the long line
            line = stream.readline(_READ_CHUNK)
        yield None


def _record_item(record: object, *, name: str) -> ParseItem:
    try:
        return record_to_article(record)
    except ParseError as exc:
        return failure_from(name, exc)


def _records_of(document: object) -> list[Any] | None:
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and _first(document, _BODY_KEYS) is None:
        for key in _LIST_KEYS:
            if isinstance(document.get(key), list):
                return document[key]
    return None


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = record.get(key)
        if value is not None and value != "":
            return value
    return None


def _text_or_none(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _source(value: object) -> str | None:
    if isinstance(value, dict):  # {"name": "CNN", "id": "cnn"} as some news APIs give
        value = value.get("name")
    return _text_or_none(value)
