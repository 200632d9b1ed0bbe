"""What a user sees from `newsbot` when something is off: one line, never a traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from index.model_resolve import unavailable_message
from tests.newsbot_process import run_newsbot


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("command", [("ask", "Apple"), ("run",)])
def test_missing_model_folder_is_one_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    missing = tmp_path / "nomodel"
    line = _one_line_error(run_newsbot(*command, folder=tmp_path, EMBEDDING_MODEL=str(missing)))
    assert str(missing) in line
    assert "Check the path" in line


def test_unavailable_hub_model_is_one_line(tmp_path: Path) -> None:
    # HF_HUB_OFFLINE=1 (set by _newsbot) is the documented way to fail fast with no network.
    result = run_newsbot("ask", "Apple", folder=tmp_path, EMBEDDING_MODEL="paraphrase-MiniLM-L3-v2")
    line = _one_line_error(result)
    assert "'paraphrase-MiniLM-L3-v2'" in line
    assert "Connect to the internet" in line


def test_unavailable_message_tells_paths_from_hub_names() -> None:
    assert "Check the path" in unavailable_message("./models/mine", local=False)
    assert "Check the path" in unavailable_message("/srv/model", local=True)
    assert "HF_HUB_OFFLINE" in unavailable_message("org/some-model", local=False)
