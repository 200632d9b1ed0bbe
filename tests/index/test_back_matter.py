"""A page's back matter (sources lists, see-also links, categories) stays out of the body."""

from __future__ import annotations

from index.parsing.back_matter import strip_back_matter
from index.parsing.common import build_article

STORY = (
    "A sensitive government document was found on an Ottawa street today.\n\n"
    "The 131-page document was found in a rain-stained envelope by a passerby.\n\n"
    "The environment minister asked officials how it came to be on the street."
)


def test_a_trailing_sources_section_and_categories_are_dropped() -> None:
    body = (
        f"{STORY}\n\nSources\n\n"
        '"Sensitive government document found on rainy Ottawa street" — CBC.ca, 2008\n\n'
        "Categories: August 15, 2008 Canada Published Politics"
    )
    assert strip_back_matter(body) == STORY
    article = build_article(title="Document found", body=body)
    assert article.body == STORY


def test_headings_are_recognised_with_a_colon_and_in_any_case() -> None:
    assert strip_back_matter(f"{STORY}\n\nSEE ALSO:\n\nOther story") == STORY
    assert strip_back_matter(f"{STORY}\nReferences\n1. A paper") == STORY


def test_the_same_words_inside_text_or_early_are_kept() -> None:
    inside = f"{STORY}\n\nSources said the talks would resume on Monday."
    assert strip_back_matter(inside) == inside
    early = f"Sources\n\n{STORY}\n\n{STORY}"  # a heading in the first half is content
    assert strip_back_matter(early) == early
    assert strip_back_matter(STORY) == STORY
