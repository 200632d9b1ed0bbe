"""`newsbot` run as a user runs it: a subprocess in a folder of its own, with no setting
from the outside environment (only what the test gives) and offline model loading."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.settings import Settings

SETTING_NAMES = {
    str(field.validation_alias)
    for field in Settings.model_fields.values()
    if field.validation_alias
}


def run_newsbot(
    *args: str, folder: Path, dotenv: str = "", **env_extra: str
) -> subprocess.CompletedProcess[str]:
    """`newsbot ARGS` run in `folder`, with `dotenv` as its `.env` and its data in
    `folder/data` unless `env_extra` says otherwise."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    env |= {"NEWSBOT_DATA_DIR": str(folder / "data"), "HF_HUB_OFFLINE": "1", **env_extra}
    (folder / ".env").write_text(dotenv, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
