"""Two `newsbot ingest` at once: the second says what runs (an ingest or re-index, its pid)
and stops, or, with `--wait`, says it waits and then ingests."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import cli_index
from bot.cli import _parser
from bot.runtime import Runtime
from index.refresh import refresh_lock
from tests.bot.admin_world import make_runtime

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    made = make_runtime(tmp_path / "data")
    yield made
    asyncio.run(made.aclose())


def _article_file(tmp_path: Path) -> Path:
    path = tmp_path / "story.json"
    record = {"title": "Volcano erupts", "body": "The volcano erupted on Thursday. " * 5}
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


class Holder:
    """Another process writing the index: it holds the index lock until stopped."""

    def __init__(self, index_dir: Path) -> None:
        code = (
            "import sys; from pathlib import Path; from index.refresh import refresh_lock\n"
            "with refresh_lock(Path(sys.argv[1])):\n"
            "    print('held', flush=True); sys.stdin.read()"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, str(index_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline() == "held\n"

    def stop(self) -> None:
        self.process.communicate("", timeout=30)


def test_a_second_ingest_names_the_running_one_and_the_way_to_wait(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    holder = Holder(data_dir / "index")
    try:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("OPENAI_", "TELEGRAM_", "DATABASE_URL", "NEWSBOT_"))
        }
        env |= {"NEWSBOT_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "ingest", str(_article_file(tmp_path))],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
    finally:
        holder.stop()
    assert result.returncode == 1
    assert result.stderr == (
        f"newsbot: An ingest or re-index is already running (pid {holder.process.pid}). "
        "Try again when it has finished, or add --wait to wait for it.\n"
    )


def test_ingest_wait_waits_for_the_running_writer_then_ingests(
    runtime: Runtime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _article_file(tmp_path)
    waiting = threading.Event()
    told = cli_index.say_waiting

    def say_and_signal(holder: int | None) -> None:
        told(holder)
        waiting.set()

    monkeypatch.setattr(cli_index, "say_waiting", say_and_signal)
    reports = []
    with refresh_lock(runtime.index_dir):  # a re-index of the bot, say
        thread = threading.Thread(
            target=lambda: reports.append(
                cli_index.run_ingest(runtime, [str(path)], quiet=True, wait=True)
            )
        )
        thread.start()
        assert waiting.wait(timeout=30)
        assert not reports  # still waiting
    thread.join(timeout=60)
    [report] = reports
    assert report.new == 1
    assert capsys.readouterr().err == (
        f"Waiting for the ingest or re-index running (pid {os.getpid()}) to finish...\n"
    )


def test_the_wait_option_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["ingest", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--wait when another ingest or re-index is writing the index, wait for it" in help_text
    args = _parser().parse_args(["ingest", "--wait", "folder"])
    assert args.wait
    assert not _parser().parse_args(["ingest", "folder"]).wait


def test_reindex_waits_too_or_names_the_way_to_wait(
    runtime: Runtime, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import cli_admin
    from index.refresh_lock import RefreshBusyError

    waiting = threading.Event()
    told = cli_admin.say_waiting

    def say_and_signal(holder: int | None) -> None:
        told(holder)
        waiting.set()

    monkeypatch.setattr(cli_admin, "say_waiting", say_and_signal)
    results: list[int] = []
    with refresh_lock(runtime.index_dir):  # an ingest of another process, say
        with pytest.raises(RefreshBusyError) as busy:
            cli_admin._reindex(runtime, full=False, quiet=True)
        assert "add --wait to wait for it" in busy.value.user_message
        thread = threading.Thread(
            target=lambda: results.append(
                cli_admin._reindex(runtime, full=False, quiet=True, wait=True)
            )
        )
        thread.start()
        assert waiting.wait(timeout=30)
        assert not results  # still waiting
    thread.join(timeout=120)
    assert results == [0]  # no sources: nothing failed
    assert "Waiting for the ingest or re-index running" in capsys.readouterr().err
    args = _parser().parse_args(["reindex", "--wait"])
    assert args.wait
