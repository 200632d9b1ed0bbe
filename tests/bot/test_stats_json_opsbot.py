"""`newsbot stats --json` carries every count the text shows (zeros too), and each outlet as
an object: {"name": ..., "articles": ...}."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import cli_admin
from bot.cli import _parser
from index import store
from index.db import session_scope
from tests.bot.admin_world import make_runtime, seed_old_index


def test_stats_json_has_every_answer_mode_and_outlets_as_objects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runtime = make_runtime(tmp_path / "data")
    try:
        seed_old_index(runtime)  # one article from "Port Times"
        with session_scope(runtime.sessions) as session:
            store.log_question(
                session=session, chat_id=1, user_id=7, mode="llm", now=datetime.now(UTC)
            )
        assert cli_admin.dispatch(runtime, _parser().parse_args(["stats", "--json"])) == 0
        figures = json.loads(capsys.readouterr().out)
        assert cli_admin.dispatch(runtime, _parser().parse_args(["stats"])) == 0
        text = capsys.readouterr().out
    finally:
        runtime.engine.dispose()
    assert figures["questions_today"] == {"llm": 1, "extractive": 0, "not_found": 0}
    assert "Questions today: 1 (LLM 1, extractive 0, not found 0)" in text
    assert figures["corpus"]["per_source"] == [{"name": "Port Times", "articles": 1}]
