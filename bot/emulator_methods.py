"""Bot API methods of the emulator (all but getUpdates, which waits): state in, JSON out.

Each function takes the emulator state and the decoded parameters and returns the
`result` of a successful call, or raises `ApiError` with Telegram's status and wording.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.emulator_messages import Json, StoredMessage
from bot.emulator_state import ApiError, BotApiState, parse_text


def _chat_id(state: BotApiState, params: Json, *, writing: bool = False) -> int:
    chat_id = params.get("chat_id")
    if isinstance(chat_id, str):
        matches = [c["id"] for c in state.chats.values() if c.get("username") == chat_id[1:]]
        chat_id = matches[0] if matches else None
    if isinstance(chat_id, int) and chat_id in state.migrated:
        raise ApiError(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            migrate_to_chat_id=state.migrated[chat_id],
        )
    if not isinstance(chat_id, int) or chat_id not in state.chats:
        raise ApiError(400, "Bad Request: chat not found")
    if writing and chat_id in state.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    return chat_id


def _reply_to(state: BotApiState, chat_id: int, params: Json) -> int | None:
    reply = params.get("reply_parameters") or {}
    message_id = reply.get("message_id", params.get("reply_to_message_id"))
    if message_id is None:
        return None
    try:
        state.find(chat_id, int(message_id))
    except KeyError:
        allowed = reply.get(
            "allow_sending_without_reply", params.get("allow_sending_without_reply")
        )
        if allowed:
            return None
        raise ApiError(400, "Bad Request: message to be replied not found") from None
    return int(message_id)


def _bot_message(state: BotApiState, params: Json, verb: str) -> StoredMessage:
    if "inline_message_id" in params:
        raise ApiError(400, "Bad Request: inline messages are not emulated")
    chat_id = _chat_id(state, params)
    try:
        message = state.find(chat_id, int(params.get("message_id", 0)))
    except KeyError:
        raise ApiError(400, f"Bad Request: message to {verb} not found") from None
    if not message.from_bot and verb == "edit":
        raise ApiError(400, "Bad Request: message can't be edited")
    return message


def _thread(state: BotApiState, chat_id: int, params: Json) -> int | None:
    thread_id = params.get("message_thread_id")
    if thread_id is None:
        return None
    if (chat_id, thread_id) in state.deleted_threads:
        raise ApiError(400, "Bad Request: message thread not found")
    return int(thread_id)


def send_message(state: BotApiState, params: Json) -> Json:
    chat_id = _chat_id(state, params, writing=True)
    thread_id = _thread(state, chat_id, params)
    parsed = parse_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
    reply_to = _reply_to(state, chat_id, params)
    html = params["text"] if params.get("parse_mode") else None
    message = state.store_bot_message(
        chat_id, parsed, html, params.get("reply_markup"), reply_to, thread_id
    )
    return state.message_json(message)


def edit_message_text(state: BotApiState, params: Json) -> Json:
    message = _bot_message(state, params, "edit")
    parsed = parse_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
    state.edit_bot_message(message, parsed, params["text"], params.get("reply_markup"))
    return state.message_json(message)


def edit_message_reply_markup(state: BotApiState, params: Json) -> Json:
    message = _bot_message(state, params, "edit")
    current = message.versions[-1]
    state.edit_bot_message(message, current.parsed, current.html, params.get("reply_markup"))
    return state.message_json(message)


def delete_message(state: BotApiState, params: Json) -> bool:
    message = _bot_message(state, params, "delete")
    message.deleted = True
    state.on_change()
    return True


def send_chat_action(state: BotApiState, params: Json) -> bool:
    chat_id = _chat_id(state, params, writing=True)
    _thread(state, chat_id, params)
    state.chat_actions.setdefault(chat_id, []).append(str(params.get("action", "")))
    state.on_change()
    return True


def set_my_commands(state: BotApiState, params: Json) -> bool:
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise ApiError(400, "Bad Request: parameter commands is required")
    state.commands = commands
    return True


def answer_callback_query(state: BotApiState, params: Json) -> bool:
    state.answered_callbacks.append(params)
    state.on_change()
    return True


def get_chat(state: BotApiState, params: Json) -> Json:
    chat = state.chats[_chat_id(state, params)]
    return {
        **chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


# What a ChatMemberAdministrator must carry (all granted or not).
ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)


def _member(state: BotApiState, chat_id: int, user_id: int) -> Json:
    user = state.users.get(user_id) or (state.bot_user if user_id == state.bot_user["id"] else None)
    if user is None:
        raise ApiError(400, "Bad Request: user not found")
    chat = state.chats[chat_id]
    if chat["type"] == "private":
        status = "member"
    else:
        status = "administrator" if user_id in state.admins.get(chat_id, []) else "member"
    if status == "member":
        return {"status": "member", "user": user}
    return {"status": "administrator", "user": user, **dict.fromkeys(ADMIN_RIGHTS, False)}


def get_chat_member(state: BotApiState, params: Json) -> Json:
    chat_id = _chat_id(state, params)
    return _member(state, chat_id, int(params.get("user_id", 0)))


def get_chat_administrators(state: BotApiState, params: Json) -> list[Json]:
    chat_id = _chat_id(state, params)
    return [_member(state, chat_id, user_id) for user_id in state.admins.get(chat_id, [])]


def set_webhook(state: BotApiState, params: Json) -> bool:
    state.webhook = {"url": str(params.get("url", "")), **params}
    return True


def delete_webhook(state: BotApiState, params: Json) -> bool:
    state.webhook = {"url": ""}
    if params.get("drop_pending_updates"):
        state.updates.clear()
    return True


def get_webhook_info(state: BotApiState, params: Json) -> Json:
    del params
    return {
        "url": state.webhook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }


def confirm(state: BotApiState, offset: object) -> None:
    """Forget updates below a positive offset (or keep the last -offset ones)."""
    if isinstance(offset, int) and offset > 0:
        state.updates = [u for u in state.updates if u["update_id"] >= offset]
        if offset - 1 > state.acknowledged_through:
            state.acknowledged_through = offset - 1
            state.on_change()
    elif isinstance(offset, int) and offset < 0:
        state.updates = state.updates[offset:]


def pending(state: BotApiState, params: Json) -> list[Json]:
    """Updates getUpdates would return now (honouring allowed_updates and limit)."""
    allowed = params.get("allowed_updates") or []
    limit = max(1, min(int(params.get("limit") or 100), 100))
    selected = [u for u in state.updates if not allowed or _kind(u) in allowed]
    return selected[:limit]


def _kind(update: Json) -> str:
    return next(key for key in update if key != "update_id")


def _constant(value: Any) -> Callable[[BotApiState, Json], Any]:
    return lambda state, params: value


METHODS: dict[str, Callable[[BotApiState, Json], Any]] = {
    "getme": lambda state, params: state.bot_user,
    "sendmessage": send_message,
    "editmessagetext": edit_message_text,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "sendchataction": send_chat_action,
    "setmycommands": set_my_commands,
    "getmycommands": lambda state, params: state.commands,
    "deletemycommands": _constant(True),
    "answercallbackquery": answer_callback_query,
    "getchat": get_chat,
    "getchatmember": get_chat_member,
    "getchatadministrators": get_chat_administrators,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "close": _constant(True),
    "logout": _constant(True),
}
