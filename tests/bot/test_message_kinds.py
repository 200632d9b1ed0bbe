"""What users send besides a plain question: edits, captions, emoji, bare links."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.ext import Application

from bot import messages, messages_admin
from bot.emulator import TelegramEmulator, html_to_plain
from tests.bot.conftest import StartBot
from tests.bot.fakes import AskCall, FakeNewsService

GROUP = -100_321
ADMIN = 4242
PHOTO = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
MENTION = "@newsbot_bot"

Json = dict[str, Any]


async def _handled(emulator: TelegramEmulator, application: Application, update: Json) -> None:  # type: ignore[type-arg]
    await emulator.wait_acknowledged(update["update_id"])
    await application.update_queue.join()


async def _send(
    emulator: TelegramEmulator,
    application: Application,  # type: ignore[type-arg]
    chat_id: int,
    text: str,
    user: Json,
    **kw: Any,
) -> Json:
    """A plain text message, handled; returns its message payload (to edit or reuse)."""
    update = emulator.send_text(chat_id, text, user=user, **kw)
    await _handled(emulator, application, update)
    return dict(update["message"])


async def _push(emulator: TelegramEmulator, application: Application, payload: Json) -> None:  # type: ignore[type-arg]
    await _handled(emulator, application, emulator.send_update(payload))


def _with_caption(message: Json, caption: str, entities: list[Json] | None = None) -> Json:
    """The same message as a photo with a caption (the stored message keeps replies working)."""
    photo = {key: value for key, value in message.items() if key not in ("text", "entities")}
    photo.update(photo=PHOTO, caption=caption)
    if entities:
        photo["caption_entities"] = entities
    return photo


def _edited(message: Json, text: str, entities: list[Json] | None = None) -> Json:
    edited = {key: value for key, value in message.items() if key != "entities"}
    edited.update(text=text, edit_date=message["date"] + 60)
    if entities:
        edited["entities"] = entities
    return {"edited_message": edited}


def _mention_entities() -> list[Json]:
    return [{"type": "mention", "offset": 0, "length": len(MENTION)}]


async def test_an_edited_question_is_answered_again_quoting_the_edit(
    emulator: TelegramEmulator,
    bot: Application,
    news: FakeNewsService,  # type: ignore[type-arg]
) -> None:
    alice = emulator.create_user("Alice")
    asked = await _send(emulator, bot, alice["id"], "Why did Blinken visit Seol?", alice)
    await _push(emulator, bot, _edited(asked, "Why did Blinken visit Seoul?"))
    assert [(call.question, call.message_id, call.edited) for call in news.calls] == [
        ("Why did Blinken visit Seol?", asked["message_id"], False),
        ("Why did Blinken visit Seoul?", asked["message_id"], True),  # replaces the first
    ]
    first, second = emulator.bot_messages(alice["id"])
    assert first.reply_to_message_id is None
    assert second.reply_to_message_id == asked["message_id"]


async def test_edits_in_groups_follow_the_rules_of_new_messages(
    emulator: TelegramEmulator,
    bot: Application,
    news: FakeNewsService,  # type: ignore[type-arg]
) -> None:
    alice = emulator.create_user("Alice")
    kw = {"chat_type": "supergroup", "chat_title": "Fans"}
    chatter = await _send(emulator, bot, GROUP, "lunch at noon?", alice, **kw)
    await _push(emulator, bot, _edited(chatter, "lunch at one?"))
    assert news.calls == []
    mention = await _send(emulator, bot, GROUP, f"{MENTION} who won the vot?", alice, **kw)
    edit = _edited(mention, f"{MENTION} who won the vote?", _mention_entities())
    await _push(emulator, bot, edit)
    assert news.calls == [
        AskCall("who won the vot?", GROUP, alice["id"], None, mention["message_id"]),
        AskCall("who won the vote?", GROUP, alice["id"], None, mention["message_id"], True),
    ]


async def test_edited_commands_are_not_run_again(
    emulator: TelegramEmulator,
    bot: Application,
    news: FakeNewsService,  # type: ignore[type-arg]
) -> None:
    alice = emulator.create_user("Alice")
    ask = await _send(emulator, bot, alice["id"], "/ask Who won?", alice)
    await _push(emulator, bot, _edited(ask, "/ask Who won the vote?", [_command(4)]))
    latest = await _send(emulator, bot, alice["id"], "/latest", alice)
    await _push(emulator, bot, _edited(latest, "/latest rain", [_command(7)]))
    assert [call.question for call in news.calls] == ["Who won?", "Who won the vote?"]
    assert len(news.latest_calls) == 1
    assert emulator.bot_messages(alice["id"])[-1].text == html_to_plain(messages.EDITED_COMMAND)


def _command(length: int) -> Json:
    return {"type": "bot_command", "offset": 0, "length": length}


@pytest.mark.parametrize("text", ["🤔🤔🤔", "?!?...", "\u200d", " \u200b\u2060 "])
async def test_wordless_text_gets_a_hint_to_ask_in_words(
    emulator: TelegramEmulator,
    bot: Application,  # type: ignore[type-arg]
    news: FakeNewsService,
    text: str,
) -> None:
    alice = emulator.create_user("Alice")
    await _send(emulator, bot, alice["id"], text, alice)
    [reply] = emulator.bot_messages(alice["id"])
    assert reply.text == html_to_plain(messages.ASK_IN_WORDS)
    assert "/ask" not in reply.text
    assert news.calls == []


async def test_wordless_replies_in_groups_are_reactions_and_mentions_get_the_hint(
    emulator: TelegramEmulator,
    bot: Application,
    news: FakeNewsService,  # type: ignore[type-arg]
) -> None:
    alice = emulator.create_user("Alice")
    kw = {"chat_type": "supergroup", "chat_title": "Fans"}
    await _send(emulator, bot, GROUP, f"{MENTION} who won the vote?", alice, **kw)
    [answer] = emulator.bot_messages(GROUP)
    await _send(emulator, bot, GROUP, "👍", alice, reply_to_message_id=answer.message_id, **kw)
    assert len(emulator.bot_messages(GROUP)) == 1
    await _send(emulator, bot, GROUP, f"{MENTION} 🤔", alice, **kw)
    assert emulator.bot_messages(GROUP)[-1].text == html_to_plain(messages.ASK_IN_WORDS)
    assert len(news.calls) == 1


async def test_a_photo_caption_is_read_as_the_question(
    emulator: TelegramEmulator,
    bot: Application,
    news: FakeNewsService,  # type: ignore[type-arg]
) -> None:
    alice = emulator.create_user("Alice")
    message = await _send(emulator, bot, alice["id"], "Why did Blinken visit Seoul?", alice)
    await _push(emulator, bot, {"message": _with_caption(message, "Who is this minister?")})
    assert [call.question for call in news.calls][-1] == "Who is this minister?"
    assert html_to_plain(messages.TEXT_ONLY) not in [
        m.text for m in emulator.bot_messages(alice["id"])
    ]
    # Without a caption there is nothing to read: the hint stays.
    await _push(emulator, bot, {"message": {**_with_caption(message, ""), "caption": None}})
    assert emulator.bot_messages(alice["id"])[-1].text == html_to_plain(messages.TEXT_ONLY)


async def test_a_group_caption_is_answered_when_it_mentions_the_bot(
    emulator: TelegramEmulator,
    bot: Application,
    news: FakeNewsService,  # type: ignore[type-arg]
) -> None:
    alice = emulator.create_user("Alice")
    kw = {"chat_type": "supergroup", "chat_title": "Fans"}
    message = await _send(emulator, bot, GROUP, "holiday pictures", alice, **kw)
    await _push(emulator, bot, {"message": _with_caption(message, "look at this view")})
    assert news.calls == []
    caption = f"{MENTION} why did Blinken visit Seoul?"
    await _push(emulator, bot, {"message": _with_caption(message, caption, _mention_entities())})
    asked = AskCall("why did Blinken visit Seoul?", GROUP, alice["id"], None, message["message_id"])
    assert news.calls == [asked]
    [answer] = emulator.bot_messages(GROUP)
    assert answer.reply_to_message_id == message["message_id"]


@pytest.mark.parametrize(
    "link", ["https://port.example/feed.xml", "http://port.example/news/ferry-strike", "www.x.org"]
)
async def test_a_bare_link_gets_a_hint_not_a_search(
    emulator: TelegramEmulator, start_bot: StartBot, news: FakeNewsService, link: str
) -> None:
    application = await start_bot(admin_user_ids=frozenset({ADMIN}))
    alice = emulator.create_user("Alice")
    admin = emulator.create_user("Ada", user_id=ADMIN)
    await _send(emulator, application, alice["id"], link, alice)
    await _send(emulator, application, ADMIN, f"  {link}\n", admin)
    assert news.calls == []
    [user_reply] = emulator.bot_messages(alice["id"])
    assert user_reply.text == html_to_plain(messages.BARE_LINK)
    [admin_reply] = emulator.bot_messages(ADMIN)
    assert admin_reply.text == html_to_plain(messages_admin.bare_link(link))
    assert f"/addsource {link}" in admin_reply.text
    # A link inside a question is a question.
    await _send(emulator, application, alice["id"], f"What does {link} say?", alice)
    assert [call.question for call in news.calls] == [f"What does {link} say?"]
