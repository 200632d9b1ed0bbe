"""Article identity: normalised URLs and content hashes.

Exact identity (`article_key`) makes re-ingesting the same article a no-op. Near duplicates
(syndicated copies of one story) are found by `index/fingerprints.py` and grouped by
`index/story_clusters.py`.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from index.types import Article

_TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref"})
_PERCENT_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


def normalize_url(url: str) -> str:
    """One spelling per web address: https, lowercase host without "www." and default port,
    no fragment, credentials or tracking parameters, sorted query, no trailing slash.

    Anything that is not an http(s) URL with a host comes back stripped but otherwise as given.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme.lower() not in ("http", "https") or not host:
        return text
    host = host.removeprefix("www.")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port not in (80, 443):
        netloc = f"{netloc}:{port}"
    path = _upper_escapes(parts.path).rstrip("/") or "/"
    return urlunsplit(("https", netloc, path, _clean_query(parts.query), ""))


def content_hash(title: str, body: str) -> str:
    """sha256 hex of title and body, whitespace-collapsed and case-folded."""
    normal = _normal_text(title) + "\n" + _normal_text(body)
    return hashlib.sha256(normal.encode("utf-8", errors="surrogatepass")).hexdigest()


def article_key(article: Article) -> str:
    """The article's identity: its normalised URL, else "sha256:" + its content hash."""
    if article.url and article.url.strip():
        return normalize_url(article.url)
    return "sha256:" + content_hash(article.title, article.body)


def _clean_query(query: str) -> str:
    kept = [
        _upper_escapes(pair)
        for pair in query.split("&")
        if pair and not _is_tracking(unquote_plus(pair.split("=", 1)[0]).lower())
    ]
    return "&".join(sorted(kept))


def _is_tracking(key: str) -> bool:
    return key.startswith("utm_") or key in _TRACKING_PARAMS


def _upper_escapes(text: str) -> str:
    return _PERCENT_ESCAPE.sub(lambda match: match.group(0).upper(), text)


def _normal_text(text: str) -> str:
    return " ".join(text.split()).casefold()
