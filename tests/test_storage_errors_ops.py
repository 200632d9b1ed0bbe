"""A data folder that cannot be written, and a full disk, are one line saying so.

`newsbot ingest` into a folder where the index lock cannot be made used to end in an
OSError traceback; the database message did not say why SQLite could not open its file;
a full disk read "The article store is not available right now." with no cause anywhere.
As root, `chmod` stops nothing: the folders here are made unwritable by a file or folder
standing where the system needs the other kind, and the disk is made full by SQLite's
own page limit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event

from bot.cli import error_line
from bot.cli_index import run_ingest
from bot.runtime import Runtime
from index.errors import IndexFolderError, StorageError
from index.refresh_lock import LOCK_NAME
from index.snapshot import current_version
from tests.bot.alerts_world import LIBRARY, VOLCANO, make_runtime, seed, write_jsonl
from tests.bot.test_alerts_crash import killed_ingest

ROOT = Path(__file__).resolve().parents[1]


def _newsbot(*args: str, data_dir: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "TELEGRAM_", "DATABASE_URL", "NEWSBOT_"))
    }
    env |= {"NEWSBOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,  # no stray .env from the repository
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def _article_file(folder: Path) -> Path:
    record = {"title": LIBRARY.title, "body": LIBRARY.body, "url": LIBRARY.url}
    path = folder / "one.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def test_ingest_into_a_folder_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    data_dir = blocker / "data"
    result = _newsbot("ingest", str(_article_file(tmp_path)), data_dir=data_dir, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"newsbot: Cannot write in the index folder {data_dir / 'index'}: not a directory."
    ]


def test_a_database_sqlite_cannot_open_says_why(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "newsbot.db").mkdir(parents=True)  # a folder where the file should be
    result = _newsbot("ask", "What happened?", data_dir=data_dir, cwd=tmp_path)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"newsbot: Cannot open the database {data_dir / 'newsbot.db'} ")
    assert line.endswith(": unable to open database file (is a directory).")


def _runtime(data_dir: Path) -> Runtime:
    return make_runtime(data_dir, OPENAI_BASE_URL=None)


def test_a_reader_of_an_unwritable_index_answers_from_it_and_a_writer_says_why(
    tmp_path: Path,
) -> None:
    runtime = _runtime(tmp_path / "data")
    seed(runtime, [LIBRARY])
    killed_ingest(runtime, [VOLCANO])
    (runtime.index_dir / LOCK_NAME).mkdir()  # the lock file cannot be made any more
    version = current_version(runtime.index_dir)

    pair = runtime.open_index()
    assert len(pair.vectors) == 1  # the library: the volcano waits for a writer
    assert current_version(runtime.index_dir) == version

    with pytest.raises(IndexFolderError) as caught:
        run_ingest(runtime, [str(_article_file(tmp_path))], quiet=True)
    assert error_line(caught.value) == (
        f"Cannot write in the index folder {runtime.index_dir}: is a directory."
    )
    assert "is a directory" in caught.value.user_message  # the short note for a chat


def test_a_snapshot_that_cannot_be_saved_is_an_index_folder_error(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path / "data")
    runtime.index_dir.mkdir(parents=True)
    (runtime.index_dir / ".lock").mkdir()  # the snapshot writer's own lock file
    indexer = runtime.indexer()
    with pytest.raises(IndexFolderError) as caught:
        indexer.open()  # a new index is saved at once
    assert caught.value.folder == runtime.index_dir


def test_a_full_disk_is_named_in_the_command_line(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path / "data")
    seed(runtime, [LIBRARY])

    @event.listens_for(runtime.engine, "connect")
    def _little_room(connection: object, _record: object) -> None:
        cursor = connection.cursor()  # type: ignore[attr-defined]
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages + 1}")  # SQLite's "disk is full"
        cursor.close()

    runtime.engine.dispose()  # connections made from now on have the limit
    big = [
        VOLCANO.__class__(
            title=f"{VOLCANO.title} {n}",
            body=VOLCANO.body * 20,
            source=VOLCANO.source,
            url=f"https://example.com/{n}",
        )
        for n in range(40)
    ]
    with pytest.raises(StorageError) as caught:
        run_ingest(runtime, [str(write_jsonl(tmp_path / "big.jsonl", big))], quiet=True)
    error = caught.value
    assert error.user_message == "The article store cannot be written right now: the disk is full."
    assert error_line(error) == (
        "The article store cannot be written right now: the disk is full "
        "(database or disk is full)."
    )
    assert error.detail == "database or disk is full"  # the bot's outage warning says it
