"""Bytes to text: encoding fallbacks and a cheap "is this binary?" test."""

from __future__ import annotations

import codecs
import logging

logger = logging.getLogger(__name__)

_SNIFF_BYTES = 8192
# Control characters that never appear in text files (tab, newlines, form feed excluded).
_CONTROL = frozenset(set(range(32)) - {9, 10, 11, 12, 13, 27}) | {127}
_UTF16_32_BOMS = (
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
)


def has_wide_bom(data: bytes) -> bool:
    """True for UTF-16/UTF-32 text that announces itself with a byte-order mark."""
    return data.startswith(_UTF16_32_BOMS)


def looks_binary(data: bytes) -> bool:
    """True when the start of `data` is not plausibly text (NUL bytes, many control bytes)."""
    if has_wide_bom(data):
        return False
    head = data[:_SNIFF_BYTES]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte in _CONTROL)
    return controls / len(head) > 0.02


def decode_text(data: bytes) -> str:
    """Decode text bytes: BOM-announced UTF-16/32, else UTF-8 (BOM or not), else cp1252,
    else Latin-1 (which accepts any byte, so this never fails)."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return data.decode("utf-32", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        logger.debug("not UTF-8, read as cp1252")
        return text
    except UnicodeDecodeError:
        logger.debug("not UTF-8 nor cp1252, read as Latin-1")
        return data.decode("latin-1")


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR become LF; a stray BOM at the start goes."""
    return text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
