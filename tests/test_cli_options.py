"""The `--wait` help is written once (`bot/cli_options.py`) and shown by both commands that
take it; the module holding it loads nothing heavy."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from bot.cli import _parser
from bot.cli_options import WAIT_HELP


def _wait_help(command: str) -> str | None:
    parser = _parser()
    [subparsers] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    sub = subparsers.choices[command]
    [wait] = [a for a in sub._actions if "--wait" in a.option_strings]
    return wait.help


def test_ingest_and_reindex_show_the_one_wait_help() -> None:
    assert _wait_help("ingest") is WAIT_HELP
    assert _wait_help("reindex") is WAIT_HELP
    assert "wait for it to finish" in WAIT_HELP


def test_the_options_module_loads_nothing_heavy() -> None:
    code = (
        "import sys, bot.cli_options; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'torch', 'sentence_transformers', 'faiss', 'sqlalchemy', 'telegram', 'numpy'}))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert found.stdout.strip() == "[]"
