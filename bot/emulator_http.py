"""The emulator's wire format: requests read the ways PTB sends them, answers as the Bot API
writes them.

PTB posts form bodies (JSON-encoded non-string values), multipart bodies when sending
files, JSON bodies, or nothing at all (`getMe`); parameters may also come in the query
string. Answers are `{"ok": true, "result": ...}`, or `{"ok": false, "error_code": N,
"description": "..."}` with the same HTTP status and, for 429, `parameters.retry_after`
(for a group upgraded to a supergroup, `parameters.migrate_to_chat_id`).
Injected faults (`bot/emulator.py`) are worded like Telegram's own errors.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.emulator_messages import Json
from bot.emulator_state import ApiError, Fault

_FAULT_TEXT = {
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


async def read_params(request: web.Request) -> dict[str, Any]:
    """The raw parameters of a call: query string, then JSON, form or multipart fields
    (an uploaded file becomes its name and size)."""
    raw: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return raw
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON body must be an object")
        raw.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                raw[key] = value
            else:
                raw[key] = {"filename": value.filename, "size": len(value.file.read())}
    return raw


def error_response(exc: ApiError) -> web.Response:
    body: Json = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.retry_after is not None:
        body["parameters"] = {"retry_after": exc.retry_after}
    if exc.migrate_to_chat_id is not None:
        body["parameters"] = {"migrate_to_chat_id": exc.migrate_to_chat_id}
    return web.json_response(body, status=exc.code)


def fault_response(fault: Fault) -> web.Response:
    template = _FAULT_TEXT.get(fault.status, "Error")
    description = fault.description or template.format(retry_after=fault.retry_after)
    return error_response(ApiError(fault.status, description, fault.retry_after))
