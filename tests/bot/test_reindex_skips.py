"""A re-index lists only the files that failed for the first time (or changed since they
failed); the ones that failed the same way before are counted in one line."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot import cli_admin
from bot.cli import _parser
from bot.emulator import html_to_plain
from bot.messages_admin import reindex_summary
from index.refresh_report import RefreshReport, compare_failures, fingerprint_failures
from index.types import ParseFailure
from tests.bot.admin_world import make_runtime


def _article(title: str) -> str:
    return json.dumps({"title": title, "body": f"{title}. The council met on Monday. " * 5})


async def test_second_reindex_counts_old_failures_and_lists_new_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runtime = make_runtime(tmp_path / "data")
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.json").write_text(_article("Harvest is early"), encoding="utf-8")
    (folder / "broken.json").write_text('{"title": "half a record", ', encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")

    def reindex() -> str:
        assert cli_admin.dispatch(runtime, _parser().parse_args(["reindex", "--quiet"])) == 0
        return capsys.readouterr().out

    add = ["sources", "add", str(folder)]
    assert await asyncio.to_thread(cli_admin.dispatch, runtime, _parser().parse_args(add)) == 0
    capsys.readouterr()

    first = await asyncio.to_thread(reindex)
    assert "Could not be parsed (2)" in first
    assert f"• {folder / 'broken.json'}: " in first
    assert "still skipped" not in first

    second = await asyncio.to_thread(reindex)
    assert "Could not be parsed" not in second
    assert "broken.json" not in second
    assert "empty.txt" not in second
    assert "2 files still skipped, as before." in second

    # A new bad file is listed; a bad file whose content changed is listed again.
    (folder / "garbage.json").write_text("not json at all {", encoding="utf-8")
    (folder / "empty.txt").write_text("   \n", encoding="utf-8")
    third = await asyncio.to_thread(reindex)
    assert "Could not be parsed (2)" in third
    assert f"• {folder / 'garbage.json'}: " in third
    assert f"• {folder / 'empty.txt'}: " in third
    assert "broken.json" not in third
    assert "1 file still skipped, as before." in third

    # A fixed file is indexed as usual and no longer counted.
    (folder / "broken.json").write_text(_article("Bridge reopens"), encoding="utf-8")
    fourth = await asyncio.to_thread(reindex)
    assert "1 new" in fourth
    assert "Could not be parsed" not in fourth
    assert "2 files still skipped, as before." in fourth
    await runtime.aclose()


def test_marks_of_sources_not_read_this_time_are_kept(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    failure = ParseFailure(str(bad), "invalid JSON")
    marks = {1: fingerprint_failures([failure], local=True)}
    known, stored = compare_failures({1: [failure]}, marks, {}, keep=())
    assert known == ()
    # A feed-only poll: the folder (#1) is not read, its marks stay for the next run.
    entry = ParseFailure("https://example.org/feed#3", "no article text")
    feed_marks = {2: fingerprint_failures([entry], local=False)}
    _, polled = compare_failures({2: [entry]}, feed_marks, stored, keep={1, 2})
    assert polled["1"] == stored["1"]
    known, _ = compare_failures({1: [failure]}, marks, polled, keep=())
    assert known == (failure,)
    bad.write_text("[", encoding="utf-8")  # changed, still broken: new again
    changed = {1: fingerprint_failures([failure], local=True)}
    assert compare_failures({1: [failure]}, changed, polled, keep=())[0] == ()


def test_summary_without_new_failures_says_only_how_many_are_still_skipped() -> None:
    old = tuple(ParseFailure(f"old{i}.png.json", "not JSON") for i in range(6))
    report = RefreshReport(sources=1, parse_failures=old, known_failures=old)
    text = html_to_plain(reindex_summary(report))
    assert "Could not be parsed" not in text
    assert "old0" not in text
    assert text.endswith("6 files still skipped, as before.")
