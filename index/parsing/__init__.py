"""Article ingestion parsing: files, folders and fetched documents to `Article`s.

No network here: fetching lives in `index.fetch`. Bad input never raises; it becomes a
`ParseFailure` with a short reason, and the rest of the batch goes on.
"""

from index.parsing.common import MAX_DOCUMENT_BYTES, ParseItem, derive_title
from index.parsing.dates import parse_date
from index.parsing.dispatch import (
    iter_article_files,
    iter_document,
    iter_path,
    parse_document,
    parse_path,
    skipped_files,
)
from index.parsing.html_text import html_to_text

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "ParseItem",
    "derive_title",
    "html_to_text",
    "iter_article_files",
    "iter_document",
    "iter_path",
    "parse_date",
    "parse_document",
    "parse_path",
    "skipped_files",
]
