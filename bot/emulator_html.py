"""Telegram's HTML parse mode, as strict as the real server (used by the emulator).

`parse_html` turns `parse_mode=HTML` text into visible text and entities, or raises
`EntityParseError` with a description in Telegram's words. Offsets here are code-point
based; the emulator converts them to UTF-16 when it answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.unlink import restore

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*?)?)\s*/?>")
_ATTRIBUTE = re.compile(r"""\s*([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot);|#([0-9]{1,7});|#[xX]([0-9a-fA-F]{1,6});)")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message is Telegram's description."""


@dataclass(frozen=True)
class Entity:
    """A formatting entity over visible text [start, end) in code points."""

    type: str
    start: int
    end: int
    url: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class ParsedText:
    text: str
    entities: tuple[Entity, ...]


@dataclass
class _Open:
    tag: str
    start: int
    url: str | None = None
    language: str | None = None


def parse_html(source: str) -> ParsedText:
    """Parse Telegram HTML; strip surrounding whitespace like the server does."""
    out: list[str] = []
    length = 0
    stack: list[_Open] = []
    entities: list[Entity] = []
    position = 0
    while position < len(source):
        char = source[position]
        if char == "<":
            match = _TAG.match(source, position)
            if match is None:
                raise EntityParseError(
                    f"Unsupported start tag at byte offset {_byte_offset(source, position)}"
                )
            closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3)
            if closing:
                entities.extend(_close(stack, name, length, source, position))
            else:
                stack.append(_open(name, attributes, length, stack, source, position))
            position = match.end()
        elif char == "&":
            match = _ENTITY.match(source, position)
            if match is None:
                raise EntityParseError(
                    "Character '&' is reserved and must be escaped as &amp; "
                    f"(byte offset {_byte_offset(source, position)})"
                )
            decoded = _decode_entity(match)
            out.append(decoded)
            length += len(decoded)
            position = match.end()
        else:
            out.append(char)
            length += 1
            position += 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return _strip("".join(out), entities)


def _open(
    name: str, attributes: str, at: int, stack: list[_Open], source: str, position: int
) -> _Open:
    if name not in _ENTITY_TYPES:
        raise EntityParseError(
            f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, position)}'
        )
    values = _attributes(attributes)
    if any(item.tag in ("pre", "code") for item in stack) and name != "code":
        raise EntityParseError(f'Can\'t use tag "{name}" inside pre or code')
    if name == "a":
        if any(item.tag == "a" for item in stack):
            raise EntityParseError("Nested links are not allowed")
        href = values.get("href", "").strip()
        if not href:
            raise EntityParseError("Can't find href attribute of the link")
        return _Open(name, at, url=href)
    if name == "span" and values.get("class") != "tg-spoiler":
        raise EntityParseError('Tag "span" must have class "tg-spoiler"')
    if name == "code":
        language = values.get("class", "")
        return _Open(name, at, language=language.removeprefix("language-") or None)
    return _Open(name, at)


def _close(stack: list[_Open], name: str, at: int, source: str, position: int) -> list[Entity]:
    if not stack or stack[-1].tag != name:
        expected = f', expected "</{stack[-1].tag}>"' if stack else ""
        raise EntityParseError(
            f"Unmatched end tag at byte offset {_byte_offset(source, position)}{expected}, "
            f'found "</{name}>"'
        )
    opened = stack.pop()
    if at == opened.start:
        return []
    if name == "code" and stack and stack[-1].tag == "pre":
        stack[-1].language = opened.language
        return []
    language = opened.language if name == "pre" else None
    return [Entity(_ENTITY_TYPES[name], opened.start, at, opened.url, language)]


def _attributes(raw: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(raw):
        if not match.group(1):
            continue
        value = next((g for g in match.group(2, 3, 4) if g is not None), "")
        values[match.group(1).lower()] = _decode_text(value)
    return values


def _decode_entity(match: re.Match[str]) -> str:
    if match.group(1):
        return _NAMED[match.group(1)]
    code = int(match.group(2)) if match.group(2) else int(match.group(3), 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise EntityParseError(f"Invalid character reference {match.group()}")
    return chr(code)


def _decode_text(value: str) -> str:
    return _ENTITY.sub(lambda m: _decode_entity(m), value)


def _byte_offset(source: str, position: int) -> int:
    return len(source[:position].encode("utf-8"))


def _strip(text: str, entities: list[Entity]) -> ParsedText:
    """Drop surrounding whitespace and shift/clip entities to the stripped text."""
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    kept: list[Entity] = []
    for entity in sorted(entities, key=lambda e: (e.start, -e.end)):
        start = min(max(entity.start - lead, 0), len(stripped))
        end = min(max(entity.end - lead, 0), len(stripped))
        if end > start:
            kept.append(Entity(entity.type, start, end, entity.url, entity.language))
    return ParsedText(stripped, tuple(kept))


def utf16_offset(text: str, index: int) -> int:
    """UTF-16 code units before code-point `index` of `text`."""
    return len(text[:index].encode("utf-16-le")) // 2


def to_api_entities(parsed: ParsedText) -> list[dict[str, object]]:
    """Entities in Bot API form (UTF-16 offsets and lengths)."""
    result: list[dict[str, object]] = []
    for entity in parsed.entities:
        offset = utf16_offset(parsed.text, entity.start)
        item: dict[str, object] = {
            "type": entity.type,
            "offset": offset,
            "length": utf16_offset(parsed.text, entity.end) - offset,
        }
        if entity.url is not None:
            item["url"] = entity.url
        if entity.language is not None:
            item["language"] = entity.language
        result.append(item)
    return result


def plain_with_links(parsed: ParsedText) -> str:
    """Visible text with each link written as `text (url)`, for a terminal."""
    return with_urls(parsed, [e for e in parsed.entities if e.type == "text_link" and e.url])


def with_urls(parsed: ParsedText, links: Iterable[Entity]) -> str:
    """Visible text with the URL of each of `links` written after it, `text (url)`, unless
    the text is the URL itself; what was defused for Telegram ("Amazon․com", `bot/unlink.py`)
    in its real characters, as nothing links where this is shown."""
    inserts = sorted(
        (link.end, link.url)
        for link in links
        if restore(parsed.text[link.start : link.end]) != link.url
    )
    parts: list[str] = []
    previous = 0
    for end, url in inserts:
        parts.append(parsed.text[previous:end])
        parts.append(f" ({url})")
        previous = end
    parts.append(parsed.text[previous:])
    return restore("".join(parts))
