"""How a subscription's phrase becomes vectors (one row per part of the phrase).

A bare short phrase embeds far from the articles it describes; wrapping it in a few generic
news templates and averaging lands it nearer (measured: `newsbot eval alerts`, see
`retrieval/alert_defaults.py`). A phrase that names several things ("movies, music, TV and
celebrities", "science and technology") also gets one row per item, so an article about any
one of them can match: the matcher takes the best row.
"""

from __future__ import annotations

import re

import numpy as np

from index.embedding import l2_normalise
from index.protocols import Embedder, FloatMatrix

# Generic wrappers, not written for any evaluation set's categories.
TOPIC_TEMPLATES = (
    "{}",
    "News about {}.",
    "An article about {}.",
    "The latest news on {}.",
    "A report on {}.",
)
MAX_PARTS = 6

# How a phrase is cut into parts: "none"; "lists" (only a phrase with a comma or semicolon,
# at commas, semicolons and and/or/&); "conjunctions" (also "science and technology",
# "Sci/Tech").
SPLIT_MODES = ("none", "lists", "conjunctions")
DEFAULT_SPLIT = "conjunctions"
_LIST_MARK = re.compile(r"[,;]")
_SEPARATORS = re.compile(r"\s*[,;/&]\s*|\s+(?:and|or)\s+", re.IGNORECASE)


def topic_parts(phrase: str, split: str = DEFAULT_SPLIT) -> list[str]:
    """The phrase, then each of its items when it names several ("a, b and c")."""
    if split not in SPLIT_MODES:
        raise ValueError(f"split must be one of {SPLIT_MODES}, got {split!r}")
    phrase = " ".join(phrase.split())
    if split == "none" or (split == "lists" and not _LIST_MARK.search(phrase)):
        return [phrase]
    items = list(dict.fromkeys(part for part in _SEPARATORS.split(phrase) if part))
    return [phrase, *items[:MAX_PARTS]] if len(items) > 1 else [phrase]


def topic_texts(
    phrase: str, templates: tuple[str, ...] = TOPIC_TEMPLATES, split: str = DEFAULT_SPLIT
) -> list[list[str]]:
    """The texts embedded for each part: every template filled with the part."""
    parts = topic_parts(phrase, split)
    return [[template.format(part) for template in templates] for part in parts]


def embed_topic(
    phrase: str,
    embedder: Embedder,
    *,
    templates: tuple[str, ...] = TOPIC_TEMPLATES,
    split: str = DEFAULT_SPLIT,
) -> FloatMatrix:
    """(n_parts, d) unit rows: each part's templated texts embedded and averaged.

    Embed once when the subscription is made and keep the result (it only changes with the
    model).
    """
    groups = topic_texts(phrase, templates, split)
    flat = [text for group in groups for text in group]
    vectors = embedder.embed(flat)
    rows = np.stack(
        [
            vectors[i * len(templates) : (i + 1) * len(templates)].mean(axis=0)
            for i in range(len(groups))
        ]
    )
    return l2_normalise(rows)
