"""The emulator's Telegram HTML parser is as strict as the real server."""

from __future__ import annotations

import pytest

from bot.emulator_html import (
    Entity,
    EntityParseError,
    parse_html,
    plain_with_links,
    to_api_entities,
)


def test_supported_tags_become_entities() -> None:
    parsed = parse_html(
        '<b>bold</b> <i>it</i> <a href="https://e.com/?a=1&amp;b=2">link</a> '
        '<span class="tg-spoiler">s</span> <pre><code class="language-py">x</code></pre>'
    )
    assert parsed.text == "bold it link s x"
    assert parsed.entities == (
        Entity("bold", 0, 4),
        Entity("italic", 5, 7),
        Entity("text_link", 8, 12, url="https://e.com/?a=1&b=2"),
        Entity("spoiler", 13, 14),
        Entity("pre", 15, 16, language="py"),
    )


def test_entities_decode_and_surrounding_whitespace_is_stripped() -> None:
    parsed = parse_html("  &lt;tag&gt; &amp; &quot;q&quot; &#65;&#x42; \n")
    assert parsed.text == '<tag> & "q" AB'


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("a < b", "Unsupported start tag"),
        ("fish & chips", "Character '&' is reserved"),
        ("&nbsp;", "Character '&' is reserved"),
        ("<br>", 'Unsupported start tag "br"'),
        ("<script>x</script>", 'Unsupported start tag "script"'),
        ("<b>open", "Can't find end tag"),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("x</b>", "Unmatched end tag"),
        ("<a>no href</a>", "href"),
        ('<span class="x">s</span>', "tg-spoiler"),
        ('<a href="https://e.com"><a href="https://f.com">x</a></a>', "Nested"),
        ("<code><b>x</b></code>", "inside pre or code"),
    ],
)
def test_invalid_html_is_refused(source: str, reason: str) -> None:
    with pytest.raises(EntityParseError, match=reason):
        parse_html(source)


def test_api_entities_use_utf16_offsets() -> None:
    parsed = parse_html("😀 <b>x</b>")
    assert to_api_entities(parsed) == [{"type": "bold", "offset": 3, "length": 1}]


def test_plain_with_links_shows_urls() -> None:
    parsed = parse_html(
        'See <a href="https://e.com/a">this</a> and <a href="https://e.com/b">https://e.com/b</a>.'
    )
    assert plain_with_links(parsed) == "See this (https://e.com/a) and https://e.com/b."
