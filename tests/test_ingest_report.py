"""What `newsbot ingest` prints about empty inputs, skipped files and broken feeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli_index import MAX_LISTED_SKIPPED, print_report, skipped_line
from index.parsing import parse_path, skipped_files
from index.types import IngestReport, ParseFailure

ITEM = (
    "<item><title>{0}</title><description>{0} is the body of a real article.</description></item>"
)


def _rss(items: str) -> str:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title>{items}'


def test_empty_folder_and_empty_feed_say_nothing_to_ingest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    feed = tmp_path / "feed.xml"
    feed.write_text(_rss("") + "</channel></rss>", encoding="utf-8")
    assert parse_path(feed) == parse_path(empty)  # nothing, and no failure either
    for target in (empty, feed):
        print_report(IngestReport(), [str(target)])
        assert capsys.readouterr().out == f"Nothing to ingest in {target}.\n"
    print_report(IngestReport(duplicates=1), [str(feed)])  # something was found: the counts
    assert capsys.readouterr().out == "0 new, 0 updated, 1 duplicates skipped, 0 failed\n"


def test_files_skipped_for_their_type_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.png").write_bytes(b"\x89PNG")
    (tmp_path / "b.csv").write_text("a,b\n", encoding="utf-8")
    (tmp_path / ".hidden.png").write_bytes(b"x")  # hidden: not worth a mention
    (tmp_path / "story.json").write_text('{"title": "t", "body": "b"}', encoding="utf-8")
    assert [p.name for p in skipped_files(tmp_path)] == ["a.png", "b.csv"]
    print_report(IngestReport(new=1), [str(tmp_path)])
    assert capsys.readouterr().out == (
        "2 files skipped (not articles): a.png, b.csv\n"
        "1 new, 0 updated, 0 duplicates skipped, 0 failed\n"
    )
    many = [f"{i}.png" for i in range(MAX_LISTED_SKIPPED + 2)]
    assert skipped_line(many).endswith("9.png and 2 more")


def test_truncated_feed_is_reported_as_malformed(tmp_path: Path) -> None:
    cut = tmp_path / "cut.xml"
    cut.write_text(_rss(ITEM.format("First") + "<item><title>Second</title><descr"), "utf-8")
    result = parse_path(cut)
    assert [a.title for a in result.articles] == ["First"]  # what was read before the break
    [failure] = result.failures
    assert failure.name == f"{cut}#2"
    assert failure.reason.startswith("malformed XML (line 1, column ")

    (tmp_path / "cut2.xml").write_text(_rss("<item><title>Only</title><descr"), "utf-8")
    [failure] = parse_path(tmp_path / "cut2.xml").failures
    assert "malformed XML" in failure.reason


def test_complete_feed_entry_without_text_is_still_no_body(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(_rss("<item><title>Empty</title></item>") + "</channel></rss>", "utf-8")
    assert parse_path(feed).failures == (ParseFailure(f"{feed}#1", "no body text"),)
