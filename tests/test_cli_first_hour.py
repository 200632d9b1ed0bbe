"""`newsbot` one-shot commands as a new user meets them: answers without log lines, errors
in the command line's words, and nothing loaded before a missing path is reported."""

from __future__ import annotations

from pathlib import Path

from bot.cli_admin import cli_wording
from tests.newsbot_process import run_newsbot


def test_nothing_to_ingest_is_said_without_loading_the_model(tmp_path: Path) -> None:
    # A model that cannot load: before the fix, ingest failed on it before looking.
    missing_model = str(tmp_path / "nomodel")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_newsbot("ingest", "/nonexistent", folder=tmp_path, EMBEDDING_MODEL=missing_model)
    assert result.returncode == 1
    assert result.stderr == "failed: /nonexistent: no such file or folder\n"
    assert result.stdout == "0 new, 0 updated, 0 duplicates skipped, 1 failed\n"
    result = run_newsbot("ingest", str(empty), folder=tmp_path, EMBEDDING_MODEL=missing_model)
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout == f"Nothing to ingest in {empty}.\n"


def test_cli_errors_name_cli_commands(tmp_path: Path) -> None:
    result = run_newsbot("sources", "remove", "5", folder=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "newsbot: There is no source #5. `newsbot sources list` shows them.\n"


def test_cli_wording_leaves_urls_and_longer_words_alone() -> None:
    assert cli_wording("Add one with /addsource URL; /reindex fetches it.") == (
        "Add one with newsbot sources add URL; newsbot reindex fetches it."
    )
    text = "https://example.com/sources and /reindexed"
    assert cli_wording(text) == text
