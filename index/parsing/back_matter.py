"""Back matter of a page kept out of an article's body (pure).

Wiki-style and many news pages end with a "Sources" or "References" list, "See also"
links and a "Categories: ..." line. Indexed, these lists become passages of headlines and
dates that match questions by their words and get quoted as answers. A heading that stands
alone on its line in the second half of the body starts such a section; it and everything
after it are dropped, as is a trailing "Categories:" line. The same words inside a sentence
("Sources said the talks...") or early in the text are left alone.
"""

from __future__ import annotations

import re

_HEADINGS = frozenset(
    ["sources", "references", "external links", "see also", "related articles",
     "related news", "further reading", "notes and references"]
)  # fmt: skip
_HEADING_LINE = re.compile(r"^[ \t]*([^\n]{1,40}?)[ \t]*:?[ \t]*$", re.MULTILINE)
_CATEGORIES = re.compile(r"\n[ \t]*Categories:[^\n]*\s*$")


def strip_back_matter(body: str) -> str:
    """The body without a trailing back-matter section (see the module docstring)."""
    body = _CATEGORIES.sub("", body)
    half = len(body) // 2
    for match in _HEADING_LINE.finditer(body, half):
        if match.group(1).casefold() in _HEADINGS:
            return body[: match.start()].rstrip()
    return body
