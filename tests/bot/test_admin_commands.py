"""Admin commands through the Telegram emulator, on a real store and index."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from bot import messages_admin
from bot.app import BotConfig
from bot.emulator import TelegramEmulator, html_to_plain
from bot.emulator_messages import StoredMessage
from bot.unlink import restore
from index import store
from index.db import session_scope
from index.pipeline import NewChunks
from tests.bot.admin_world import (
    ADMIN_ID,
    GROUP,
    OLD_TITLE,
    AdminWorld,
    admin_world,
    make_runtime,
)
from tests.news_site import NewsSite, story

ADMIN_COMMANDS = ["/addsource http://a.example/feed", "/removesource 1", "/reindex", "/stats"]


@pytest.fixture
async def site() -> AsyncIterator[NewsSite]:
    async with NewsSite(
        items=[story("rain", "rain"), story("vote", "election")],
        pages={"bridge": story("bridge", "bridge")},
    ) as server:
        yield server


async def _say(admin_bot: AdminWorld, chat_id: int, text: str, user: dict, **kw: object) -> None:
    """Send a message and wait until the bot has handled it."""
    update = admin_bot.emulator.send_text(chat_id, text, user=user, **kw)  # type: ignore[arg-type]
    await admin_bot.emulator.wait_acknowledged(update["update_id"])
    await admin_bot.application.update_queue.join()


async def _reply(admin_bot: AdminWorld, chat_id: int, text: str, user: dict, **kw: object) -> str:
    before = len(admin_bot.emulator.bot_messages(chat_id))
    admin_bot.emulator.send_text(chat_id, text, user=user, **kw)  # type: ignore[arg-type]
    replies = await admin_bot.emulator.wait_for_messages(chat_id, before + 1)
    return replies[before].text


async def _sources(admin_bot: AdminWorld, user: dict) -> tuple[str, str]:
    """/sources as an admin: the public overview, then the list of registered sources."""
    before = len(admin_bot.emulator.bot_messages(user["id"]))
    await _say(admin_bot, user["id"], "/sources", user)
    replies = admin_bot.emulator.bot_messages(user["id"])[before:]
    assert len(replies) == 2, [r.text for r in replies]
    return replies[0].text, replies[1].text


async def test_admin_commands_are_refused_for_everyone_else(admin_bot: AdminWorld) -> None:
    bob = admin_bot.emulator.create_user("Bob")
    for command in [*ADMIN_COMMANDS, "/ingest http://a.example/story"]:
        assert await _reply(admin_bot, bob["id"], command, bob) == messages_admin.ADMIN_ONLY
        for chat_id, chat_type in ((GROUP, "group"), (GROUP - 1, "supergroup")):
            group_reply = await _reply(admin_bot, chat_id, command, bob, chat_type=chat_type)
            assert group_reply == messages_admin.ADMIN_ONLY
        name, _, rest = command.partition(" ")
        mentioned = await _reply(admin_bot, GROUP, f"{name}@newsbot_bot {rest}".strip(), bob)
        assert mentioned == messages_admin.ADMIN_ONLY
    # /sources stays the public overview for non-admins.
    overview = await _reply(admin_bot, bob["id"], "/sources", bob)
    assert overview.startswith("Indexed news\n1 article from 1 outlet")
    await _say(admin_bot, bob["id"], "/help", bob)
    assert admin_bot.emulator.bot_messages(bob["id"])[-2].text == overview  # no feed list
    assert not admin_bot.admin.busy
    with session_scope(admin_bot.runtime.sessions) as session:
        assert store.list_sources(session=session) == []


async def test_bad_arguments_get_usage_lines(admin_bot: AdminWorld) -> None:
    admin = admin_bot.emulator.create_user("Ada", user_id=ADMIN_ID)
    usages = {
        "/addsource": messages_admin.ADDSOURCE_USAGE,
        "/addsource not a url": messages_admin.ADDSOURCE_USAGE,
        "/addsource /etc": messages_admin.ADDSOURCE_USAGE,
        "/removesource": messages_admin.REMOVESOURCE_USAGE,
        "/removesource first": messages_admin.REMOVESOURCE_USAGE,
        "/reindex now": messages_admin.REINDEX_USAGE,
        "/ingest": messages_admin.INGEST_USAGE,
        "/ingest file:///etc/passwd": messages_admin.INGEST_USAGE,
    }
    for command, usage in usages.items():
        reply = await _reply(admin_bot, ADMIN_ID, command, admin)
        assert reply == html_to_plain(usage), command
    assert await _reply(admin_bot, ADMIN_ID, "/removesource 99", admin) == (
        "There is no source #99. /sources lists them."
    )


async def test_add_list_and_remove_sources(admin_bot: AdminWorld, site: NewsSite) -> None:
    admin = admin_bot.emulator.create_user("Ada", user_id=ADMIN_ID)
    overview, listing = await _sources(admin_bot, admin)  # admins see what is indexed too
    assert overview.startswith("Indexed news\n1 article from 1 outlet")
    assert listing == messages_admin.ADMIN_SOURCES_EMPTY
    added = await _reply(admin_bot, ADMIN_ID, f"/addsource {site.url('/feed.xml')}", admin)
    # The address is shown, not linked (`bot/unlink.py`): its real characters once restored.
    assert restore(added).startswith(f"Added feed #1: {site.url('/feed.xml')} (Test Gazette, 2 ")
    added = await _reply(
        admin_bot, GROUP, f"/addsource {site.url('/story/bridge')}", admin, chat_type="group"
    )
    assert added.startswith("Added page #2:")
    refused = await _reply(admin_bot, ADMIN_ID, f"/addsource {site.url('/broken.xml')}", admin)
    assert refused == "That address has no feed or article I can read (not an RSS or Atom feed)."
    again = await _reply(admin_bot, ADMIN_ID, f"/addsource {site.url('/feed.xml')}", admin)
    assert restore(again) == f"{site.url('/feed.xml')} is already a source."

    overview, listing = await _sources(admin_bot, admin)
    assert overview.startswith("Indexed news\n1 article from 1 outlet")
    assert listing.startswith("Sources (2)\n\n#1 feed: ")
    assert "0 articles, last fetch never" in listing

    removed = await _reply(admin_bot, ADMIN_ID, "/removesource 2", admin)
    assert removed.startswith("Removed source #2")
    assert "#2" not in (await _sources(admin_bot, admin))[1]


async def test_private_addresses_are_refused_unless_allowed(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig, site: NewsSite
) -> None:
    runtime = make_runtime(tmp_path / "data", ALLOW_PRIVATE_URLS=False)
    async with admin_world(runtime, emulator, config) as admin_bot:
        admin = admin_bot.emulator.create_user("Ada", user_id=ADMIN_ID)
        for command in (f"/addsource {site.url('/feed.xml')}", f"/ingest {site.url('/x')}"):
            reply = await _reply(admin_bot, ADMIN_ID, command, admin)
            assert reply == (
                "That address points to a private or local network, which is not allowed."
            )
    assert site.requests == []


def _progress_versions(message: StoredMessage) -> list[str]:
    return [text for text in message.history if "so far" in text]


@contextlib.contextmanager
def gate_file(folder: Path) -> Iterator[Callable[[], Awaitable[None]]]:
    """A named pipe posing as an article file: reading it waits until `open_gate()`.

    It holds a re-index in its indexing phase for as long as the test needs, whatever
    the fetch timeouts.
    """
    folder.mkdir()
    fifo = folder / "late.json"
    os.mkfifo(fifo)
    record = story("late", "volcano")
    text = json.dumps({"title": record.title, "body": record.body, "source": "Folder Post"})

    async def open_gate() -> None:
        await asyncio.to_thread(fifo.write_text, text, encoding="utf-8")

    try:
        yield open_gate
    finally:
        with contextlib.suppress(OSError):  # still waiting after a failure: let it go
            descriptor = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.write(descriptor, text.encode())
            os.close(descriptor)


async def test_reindex_shows_progress_answers_questions_meanwhile_and_swaps_at_the_end(
    admin_bot: AdminWorld, site: NewsSite, tmp_path: Path
) -> None:
    emulator = admin_bot.emulator
    admin = emulator.create_user("Ada", user_id=ADMIN_ID)
    alice = emulator.create_user("Alice")
    await _reply(admin_bot, ADMIN_ID, f"/addsource {site.url('/feed.xml')}", admin)
    await _reply(admin_bot, ADMIN_ID, f"/addsource {site.url('/story/bridge')}", admin)
    with session_scope(admin_bot.runtime.sessions) as session:  # sources that fail
        for path in ("/missing.xml", "/broken.xml", "/slow.xml"):
            store.add_source(session=session, kind="feed", location=site.url(path))
        store.add_source(session=session, kind="folder", location=str(tmp_path / "folder"))
    received: list[NewChunks] = []

    async def hook(chunks: NewChunks) -> None:
        received.append(chunks)

    admin_bot.admin.on_new_articles.append(hook)
    with gate_file(tmp_path / "folder") as open_gate:
        await _say(admin_bot, ADMIN_ID, "/reindex", admin)
        progress = emulator.bot_messages(ADMIN_ID)[-1]
        assert progress.text.startswith("Re-indexing… (")
        await emulator.wait_until(lambda: "Now indexing articles." in progress.text)
        assert "Sources: 5 of 6 read\nArticles: 3 fetched, 0 parsed" in progress.text
        assert admin_bot.admin.busy

        # A user asks meanwhile: answered at once, from the old index.
        await _say(admin_bot, alice["id"], "What happened to the harbour ferries?", alice)
        [answer] = emulator.bot_messages(alice["id"])
        assert OLD_TITLE in answer.text
        # A second /reindex is told that one is running, with its progress.
        busy = await _reply(admin_bot, ADMIN_ID, "/reindex full", admin)
        assert busy.startswith("A re-index is already running.\n\nRe-indexing…")
        assert "Sources: 5 of 6 read" in busy

        await open_gate()
        await emulator.wait_until(
            lambda: "Re-index finished" in emulator.bot_messages(ADMIN_ID)[-1].text
        )
    summary = emulator.bot_messages(ADMIN_ID)[-1].text
    assert "6 sources: 4 new, 0 updated, 0 already indexed" in summary
    assert "Failed sources (3)" in summary
    shown = restore(summary)  # addresses are shown, not linked (`bot/unlink.py`)
    assert f"#3 {site.url('/missing.xml')}: The site answered with HTTP 404." in shown
    assert f"#4 {site.url('/broken.xml')}: not an RSS or Atom feed" in shown
    assert f"#5 {site.url('/slow.xml')}: The site took too long to answer." in shown
    # One closing message: the summary takes the progress message's place (it once said
    # "finished in 0 s." above a summary saying it again).
    await emulator.wait_until(lambda: progress.deleted)
    assert [m.text for m in emulator.bot_messages(ADMIN_ID) if "finished" in m.text] == [summary]
    assert len(_progress_versions(progress)) >= 2  # edited while it ran
    assert not admin_bot.admin.busy

    # The new articles are served now, and went to the alert hook.
    await emulator.wait_until(lambda: len(received) == 1)
    assert len(received[0].article_ids) == 4
    await _say(admin_bot, alice["id"], "What did the rain report say?", alice)
    assert "Rain update 1" in emulator.bot_messages(alice["id"])[-1].text

    listing = (await _sources(admin_bot, admin))[1]
    assert "last error: The site answered with HTTP 404." in listing
    assert "2 articles, last fetch" in listing


async def test_ingest_one_article_and_stats(admin_bot: AdminWorld, site: NewsSite) -> None:
    emulator = admin_bot.emulator
    admin = emulator.create_user("Ada", user_id=ADMIN_ID)
    alice = emulator.create_user("Alice")
    reply = await _reply(admin_bot, ADMIN_ID, f"/ingest {site.url('/story/bridge')}", admin)
    assert reply.startswith("Indexed: Bridge update 1 (")
    assert reply.endswith(" chunks)") or reply.endswith(" chunk)")
    again = await _reply(admin_bot, ADMIN_ID, f"/ingest {site.url('/story/bridge')}", admin)
    assert again.startswith("Already indexed: Bridge update 1")
    missing = await _reply(admin_bot, ADMIN_ID, f"/ingest {site.url('/story/none')}", admin)
    assert missing == "The site answered with HTTP 404."

    await _say(admin_bot, alice["id"], "What about the bridge?", alice)
    assert "Bridge update 1" in emulator.bot_messages(alice["id"])[-1].text

    stats = await _reply(admin_bot, GROUP, "/stats@newsbot_bot", admin, chat_type="group")
    lines = stats.splitlines()
    assert lines[0] == "Statistics"
    assert lines[1] == "Articles: 2 (2 stories)"
    assert lines[3] == "Outlets: 2"
    assert lines[4].startswith("Published: 2 Apr 2024 to ")
    assert lines[5].startswith("Index: flat, ")
    assert lines[5].endswith(" on disk")
    assert lines[6] == "Last re-index: never"
    assert lines[7] == "Questions today: 1 (LLM 0, extractive 1, not found 0)"
    assert lines[8] == "Alerts delivered today: 0"
