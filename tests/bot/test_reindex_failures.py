"""`newsbot reindex` and the chat summary name the items that could not be parsed; /help
shows admins their commands."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot import cli_admin, messages
from bot.cli import _parser
from bot.emulator import html_to_plain
from bot.messages_admin import MAX_LISTED_FAILURES, reindex_summary
from index.refresh_report import RefreshReport
from index.types import ParseFailure
from tests.bot.admin_world import ADMIN_ID, AdminWorld, make_runtime


def test_summary_names_parse_failures_and_caps_the_list() -> None:
    failures = tuple(
        ParseFailure(name=f"bad<{i}>.json", reason="not JSON")
        for i in range(MAX_LISTED_FAILURES + 3)
    )
    text = html_to_plain(reindex_summary(RefreshReport(sources=1, parse_failures=failures)))
    assert f"Could not be parsed ({MAX_LISTED_FAILURES + 3})" in text
    assert "• bad<0>.json: not JSON" in text
    assert f"bad<{MAX_LISTED_FAILURES - 1}>.json" in text
    assert f"bad<{MAX_LISTED_FAILURES}>.json" not in text
    assert text.endswith("… and 3 more")


async def test_cli_reindex_names_unparsable_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runtime = make_runtime(tmp_path / "data")
    folder = tmp_path / "mixed"
    folder.mkdir()
    good = {"title": "Harvest is early", "body": "The harvest came early this year. " * 5}
    (folder / "good.json").write_text(json.dumps(good), encoding="utf-8")
    (folder / "broken.json").write_text('{"title": "half a record", ', encoding="utf-8")

    def run(*argv: str) -> int | None:
        return cli_admin.dispatch(runtime, _parser().parse_args(list(argv)))

    assert await asyncio.to_thread(run, "sources", "add", str(folder)) == 0
    capsys.readouterr()
    assert await asyncio.to_thread(run, "reindex", "--quiet") == 0
    out = capsys.readouterr().out
    assert "1 new" in out
    assert "Could not be parsed (1)" in out
    assert f"• {folder / 'broken.json'}: " in out
    await runtime.aclose()


async def _reply(admin_bot: AdminWorld, user: dict, text: str) -> str:
    before = len(admin_bot.emulator.bot_messages(user["id"]))
    admin_bot.emulator.send_text(user["id"], text, user=user)
    return (await admin_bot.emulator.wait_for_messages(user["id"], before + 1))[before].text


async def test_help_shows_admin_commands_to_admins_only(admin_bot: AdminWorld) -> None:
    admin = admin_bot.emulator.create_user("Ada", user_id=ADMIN_ID)
    bob = admin_bot.emulator.create_user("Bob")
    admin_help = await _reply(admin_bot, admin, "/help")
    assert admin_help.startswith(html_to_plain(messages.HELP))
    for command in ("/addsource", "/removesource", "/ingest", "/reindex", "/stats"):
        assert command in admin_help
    assert await _reply(admin_bot, bob, "/help") == html_to_plain(messages.HELP)
