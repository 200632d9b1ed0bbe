"""The Bot API emulator over HTTP: request formats, validation, long polling, faults."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, Forbidden

from bot.emulator import TelegramEmulator, html_to_plain
from tests.bot.conftest import TOKEN
from tests.patient_emulator import WAIT


async def _call(
    emulator: TelegramEmulator, method: str, *, token: str = TOKEN, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{emulator.base_url}{token}/{method}", **kwargs) as response,
    ):
        return response.status, await response.json()


async def test_get_me_with_an_empty_body(emulator: TelegramEmulator) -> None:
    status, body = await _call(emulator, "getMe")
    assert status == 200
    assert body["result"]["username"] == "newsbot_bot"


async def test_wrong_token_and_unknown_method(emulator: TelegramEmulator) -> None:
    assert (await _call(emulator, "getMe", token="1:wrong"))[0] == 401
    status, body = await _call(emulator, "launchRockets")
    assert (status, body["ok"], body["error_code"]) == (404, False, 404)


async def test_form_json_and_multipart_bodies(emulator: TelegramEmulator) -> None:
    alice = emulator.create_user()
    markup = json.dumps({"inline_keyboard": [[{"text": "ok", "callback_data": "1"}]]})
    form = {"chat_id": str(alice["id"]), "text": "123", "reply_markup": markup}
    status, body = await _call(emulator, "sendMessage", data=form)
    assert status == 200
    assert body["result"]["text"] == "123"  # a numeric text stays a string
    assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "ok"
    status, body = await _call(emulator, "sendMessage", json={"chat_id": alice["id"], "text": "j"})
    assert body["result"]["text"] == "j"
    multipart = aiohttp.FormData()
    multipart.add_field("chat_id", str(alice["id"]))
    multipart.add_field("text", "<b>m</b>")
    multipart.add_field("parse_mode", "HTML")
    multipart.add_field("document", b"bytes", filename="a.txt")
    status, body = await _call(emulator, "sendMessage", data=multipart)
    assert body["result"]["entities"] == [{"type": "bold", "offset": 0, "length": 1}]
    assert [m.text for m in emulator.bot_messages(alice["id"])] == ["123", "j", "m"]


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("a < b", "Bad Request: can't parse entities"),
        ("<b>x", "Bad Request: can't parse entities"),
        ("  <b></b> ", "Bad Request: message text is empty"),
        ("x" * 4097, "Bad Request: message is too long"),
        ("<b>" + "x" * 4097 + "</b>", "Bad Request: message is too long"),
    ],
)
async def test_invalid_messages_are_refused(
    emulator: TelegramEmulator, text: str, description: str
) -> None:
    alice = emulator.create_user()
    form = {"chat_id": str(alice["id"]), "text": text, "parse_mode": "HTML"}
    status, body = await _call(emulator, "sendMessage", data=form)
    assert status == 400
    assert body["description"].startswith(description)
    assert emulator.bot_messages(alice["id"]) == []


async def test_visible_length_not_markup_counts(emulator: TelegramEmulator) -> None:
    alice = emulator.create_user()
    text = "<b>" + "&amp;" * 4096 + "</b>"
    status, _ = await _call(
        emulator,
        "sendMessage",
        data={"chat_id": str(alice["id"]), "text": text, "parse_mode": "HTML"},
    )
    assert status == 200


async def test_long_poll_holds_until_an_update_arrives(emulator: TelegramEmulator) -> None:
    alice = emulator.create_user()
    poll = asyncio.create_task(_call(emulator, "getUpdates", data={"timeout": "5"}))
    async with asyncio.timeout(WAIT):  # until the server holds the request, however slowly
        while not emulator.calls("getUpdates"):  # noqa: ASYNC110 - no event to await
            await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    assert not poll.done()
    update = emulator.send_text(alice["id"], "/start now", user=alice)
    _, body = await asyncio.wait_for(poll, WAIT)
    assert body["result"] == [update]
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    # Confirming by offset forgets the update; a zero timeout answers at once.
    _, body = await _call(emulator, "getUpdates", data={"offset": str(update["update_id"] + 1)})
    assert body["result"] == []
    await emulator.wait_acknowledged(update["update_id"], timeout=1)


async def test_long_poll_times_out_empty(emulator: TelegramEmulator) -> None:
    _, body = await _call(emulator, "getUpdates", data={"timeout": "0.2"})
    assert body == {"ok": True, "result": []}


async def test_allowed_updates_filter(emulator: TelegramEmulator) -> None:
    alice = emulator.create_user()
    emulator.send_text(alice["id"], "hello", user=alice)
    sent = await _call(emulator, "sendMessage", data={"chat_id": str(alice["id"]), "text": "b"})
    emulator.press_button(alice["id"], sent[1]["result"]["message_id"], "data", alice)
    allowed = json.dumps(["callback_query"])
    _, body = await _call(emulator, "getUpdates", data={"allowed_updates": allowed})
    assert [list(u)[1] for u in body["result"]] == ["callback_query"]


async def test_injected_faults(emulator: TelegramEmulator) -> None:
    alice = emulator.create_user()
    emulator.fail_next("sendMessage", 429, retry_after=3)
    emulator.fail_next("sendMessage", 502)
    form = {"chat_id": str(alice["id"]), "text": "x"}
    status, body = await _call(emulator, "sendMessage", data=form)
    assert (status, body["parameters"]) == (429, {"retry_after": 3})
    assert (await _call(emulator, "sendMessage", data=form))[0] == 502
    assert (await _call(emulator, "sendMessage", data=form))[0] == 200


async def test_mentions_and_groups(emulator: TelegramEmulator) -> None:
    alice = emulator.create_user()
    update = emulator.send_text(-100, "hi @newsbot_bot and @bobby_b", user=alice, chat_type="group")
    message = update["message"]
    assert message["chat"]["type"] == "group"
    assert [(e["type"], e["offset"]) for e in message["entities"]] == [
        ("mention", 3),
        ("mention", 20),
    ]


async def test_ptb_bot_methods_parse(emulator: TelegramEmulator) -> None:
    """Replies of the emulator decode into PTB objects, and errors into PTB exceptions."""
    alice = emulator.create_user("Alice")
    group = -1001
    emulator.send_text(group, "hello", user=alice, chat_type="supergroup", chat_title="News")
    emulator.set_chat_admins(group, [alice["id"]])
    async with Bot(TOKEN, base_url=emulator.base_url) as bot:
        assert (await bot.get_chat(group)).title == "News"
        member = await bot.get_chat_member(group, alice["id"])
        assert member.status == ChatMemberStatus.ADMINISTRATOR
        assert [a.user.id for a in await bot.get_chat_administrators(group)] == [alice["id"]]
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("more", callback_data="m")]])
        sent = await bot.send_message(alice["id"], "<i>hi</i>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text(
                "<i>hi</i>", alice["id"], sent.message_id, parse_mode="HTML"
            )
        await bot.edit_message_reply_markup(alice["id"], sent.message_id, reply_markup=keyboard)
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_reply_markup(alice["id"], sent.message_id, reply_markup=keyboard)
        await bot.edit_message_text("bye", alice["id"], sent.message_id)
        assert emulator.bot_messages(alice["id"])[0].history == ["hi", "hi", "bye"]
        assert await bot.delete_message(alice["id"], sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
            await bot.delete_message(alice["id"], sent.message_id)
        emulator.block_bot(alice["id"])
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(alice["id"], "anyone there?")
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(424242, "x")
        assert await bot.answer_callback_query("1")
        assert await bot.set_webhook("https://example.org/hook")
        assert emulator.state.webhook["url"] == "https://example.org/hook"


def test_html_to_plain() -> None:
    assert html_to_plain('<b>A</b> <a href="https://e.com">B</a>') == "A B (https://e.com)"


async def test_wait_until_sees_state_the_emulator_does_not_hold(
    emulator: TelegramEmulator,
) -> None:
    # A hook's list filled after the emulator's last change: the wait must still end.
    seen: list[int] = []
    asyncio.get_running_loop().call_later(0.2, seen.append, 1)
    await emulator.wait_until(lambda: bool(seen), timeout=5)
    assert seen == [1]
