"""`newsbot eval alerts` runs with the bot's own alert settings (ALERT_THRESHOLD,
ALERT_CORPUS_ROUTE), on a small labelled folder and the hashing embedder."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from bot import cli_eval
from bot.runtime import Runtime
from tests.bot.alerts_world import make_runtime

WORDS = {
    "Football": ("goal", "striker", "league", "match", "keeper"),
    "Weather": ("storm", "rain", "forecast", "wind", "flood"),
    "Markets": ("shares", "stocks", "investors", "bonds", "index"),
}


def labelled_folder(folder: Path) -> Path:
    """120 items in three categories (enough for the corpus route's background)."""
    folder.mkdir()
    with (folder / "articles.jsonl").open("w", encoding="utf-8") as stream:
        for category, words in WORDS.items():
            for number in range(40):
                picked = [words[(number + k) % len(words)] for k in range(3)]
                record = {
                    "title": f"{picked[0].title()} news {number}",
                    "body": f"The {picked[0]} and the {picked[1]} made news; {picked[2]} too.",
                    "category": category,
                }
                stream.write(json.dumps(record) + "\n")
    return folder


def prepare(
    tmp_path: Path, folder: Path, *argv: str, **settings: object
) -> tuple[argparse.Namespace, Runtime]:
    """The parsed command line and a runtime with these settings."""
    parser = argparse.ArgumentParser()
    cli_eval.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["eval", "alerts", str(folder), *argv])
    runtime = make_runtime(tmp_path / "data", **settings)
    return args, runtime


@pytest.mark.parametrize(
    ("settings", "argv", "expected"),
    [
        ({}, (), "direct threshold 0.45; corpus route on (background 120 items)"),
        ({"ALERT_CORPUS_ROUTE": False}, (), "direct threshold 0.45; corpus route off;"),
        ({"ALERT_THRESHOLD": 0.3}, (), "direct threshold 0.30; corpus route on"),
        ({"ALERT_THRESHOLD": 0.3}, ("--threshold", "0.5"), "direct threshold 0.50;"),
    ],
)
def test_the_eval_uses_the_bot_settings(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    settings: dict[str, object],
    argv: tuple[str, ...],
    expected: str,
) -> None:
    folder = labelled_folder(tmp_path / "set")
    args, runtime = prepare(tmp_path, folder, *argv, **settings)
    assert cli_eval.dispatch(runtime, args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert expected in lines[-2]
    assert json.loads(lines[-1])["n_items"] == 120
