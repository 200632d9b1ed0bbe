"""Updates the emulator makes up on Telegram's side: group migration and bot membership.

Pure builders over the emulator state: each records what changed, queues the update(s) a
real server would send and returns them. The test-side API (`bot/emulator.py`) calls them.
"""

from __future__ import annotations

from bot.emulator_messages import Json
from bot.emulator_methods import ADMIN_RIGHTS
from bot.emulator_state import BotApiState


def migrate_group(
    state: BotApiState, old_chat_id: int, new_chat_id: int, user: Json, *, announce: bool
) -> list[Json]:
    """Upgrade a group to a supergroup with a new id; with `announce`, queue the two
    service messages (see `TelegramEmulator.migrate_group`)."""
    old = state.ensure_chat(old_chat_id, "group")
    state.ensure_chat(new_chat_id, "supergroup", old.get("title"))
    state.migrated[old_chat_id] = new_chat_id
    state.on_change()
    if not announce:
        return []
    date = int(state.clock())
    notes = [
        (old_chat_id, {"migrate_to_chat_id": new_chat_id}),
        (new_chat_id, {"migrate_from_chat_id": old_chat_id}),
    ]
    return [
        state.queue_update(
            {
                "message": {
                    "message_id": 0,  # service messages are not kept here
                    "date": date,
                    "chat": state.chats[chat_id],
                    "from": user,
                    **note,
                }
            }
        )
        for chat_id, note in notes
    ]


def bot_membership(state: BotApiState, chat_id: int, by: Json, old: str, new: str) -> Json:
    """Queue the `my_chat_member` update of the bot going from status `old` to `new`."""
    return state.queue_update(
        {
            "my_chat_member": {
                "chat": state.chats[chat_id],
                "from": by,
                "date": int(state.clock()),
                "old_chat_member": _member(state, old),
                "new_chat_member": _member(state, new),
            }
        }
    )


def _member(state: BotApiState, status: str) -> Json:
    member: Json = {"status": status, "user": state.bot_user}
    if status == "kicked":
        member["until_date"] = 0
    elif status == "administrator":
        member |= dict.fromkeys(ADMIN_RIGHTS, False)
    return member
