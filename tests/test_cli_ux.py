"""What a user sees from `newsbot` when something is off: one line, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.model_resolve import unavailable_message


def _newsbot(*args: str, data_dir: Path, **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "TELEGRAM_", "DATABASE_URL", "NEWSBOT_", "EMBEDDING_"))
    }
    env |= {"NEWSBOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=data_dir,  # no stray .env from the repository
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("command", [("ask", "Apple"), ("run",)])
def test_missing_model_folder_is_one_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    missing = tmp_path / "nomodel"
    line = _one_line_error(_newsbot(*command, data_dir=tmp_path, EMBEDDING_MODEL=str(missing)))
    assert str(missing) in line
    assert "Check the path" in line


def test_unavailable_hub_model_is_one_line(tmp_path: Path) -> None:
    # HF_HUB_OFFLINE=1 (set by _newsbot) is the documented way to fail fast with no network.
    result = _newsbot("ask", "Apple", data_dir=tmp_path, EMBEDDING_MODEL="paraphrase-MiniLM-L3-v2")
    line = _one_line_error(result)
    assert "'paraphrase-MiniLM-L3-v2'" in line
    assert "Connect to the internet" in line


def test_unavailable_message_tells_paths_from_hub_names() -> None:
    assert "Check the path" in unavailable_message("./models/mine", local=False)
    assert "Check the path" in unavailable_message("/srv/model", local=True)
    assert "HF_HUB_OFFLINE" in unavailable_message("org/some-model", local=False)
