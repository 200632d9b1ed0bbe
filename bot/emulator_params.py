"""Bot API call parameters as the emulator reads them: form strings to typed values.

PTB sends non-string parameters JSON-encoded in form bodies; these are decoded per key, the
rest stay strings, and a value that does not parse fails the call with Telegram's 400.
"""

from __future__ import annotations

import json
from typing import Any

from bot.emulator_messages import Json
from bot.emulator_state import ApiError

# Parameters PTB sends JSON-encoded in form bodies; everything else stays a string.
_JSON_KEYS = frozenset(
    {
        "reply_markup",
        "commands",
        "entities",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "scope",
        "caption_entities",
    }
)
_INT_KEYS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "reply_to_message_id",
        "user_id",
        "cache_time",
        "message_thread_id",
    }
)
_BOOL_KEYS = frozenset(
    {
        "disable_notification",
        "drop_pending_updates",
        "show_alert",
        "protect_content",
        "allow_sending_without_reply",
        "disable_web_page_preview",
    }
)


def decode_params(raw: dict[str, Any]) -> Json:
    """Turn form values (strings, JSON-encoded non-strings) into typed parameters."""
    params: Json = {}
    for key, value in raw.items():
        try:
            params[key] = _decode_value(key, value)
        except (ValueError, TypeError) as exc:
            raise ApiError(400, f"Bad Request: can't parse parameter {key}") from exc
    return params


def _decode_value(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in _JSON_KEYS or key in _BOOL_KEYS:
        return json.loads(value)
    if key in _INT_KEYS:
        return int(value)
    if key == "timeout":
        return float(value)
    if key == "chat_id":
        return int(value) if value.lstrip("-").isdigit() else value
    return value
