"""`newsbot ingest` lists a file that cannot be parsed once: a later run counts the ones that
failed the same way before in one line, as a re-index does, and lists only what is new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli_index import FAILURE_MARKS_FILE, print_report, run_ingest
from bot.runtime import Runtime
from tests.bot.admin_world import make_runtime

BROKEN = {
    "half.json": '{"title": "half a record", ',
    "garbage.json": "not json at all {",
    "empty.txt": "",
    "blank.txt": "   \n",
    "number.json": "42",
    "records.jsonl": '{"title": "no body"}\n',
}


def _article(title: str) -> str:
    return json.dumps({"title": title, "body": f"{title}. The council met on Monday. " * 5})


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    return make_runtime(tmp_path / "data")


def _ingest(
    runtime: Runtime, capsys: pytest.CaptureFixture[str], *targets: Path | str
) -> tuple[list[str], str]:
    """`newsbot ingest TARGETS`: the failures listed (stderr lines) and stdout."""
    names = [str(t) for t in targets]
    print_report(run_ingest(runtime, names, quiet=True), names)
    out, err = capsys.readouterr()
    return err.splitlines(), out


def test_broken_files_are_listed_once_then_counted(
    runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "good.json").write_text(_article("Harvest is early"), encoding="utf-8")
    for name, text in BROKEN.items():
        (folder / name).write_text(text, encoding="utf-8")

    listed, out = _ingest(runtime, capsys, folder)
    assert len(listed) == 6
    assert all(line.startswith(f"failed: {folder}/") for line in listed)
    assert "still skipped" not in out
    assert out.endswith("1 new, 0 updated, 0 duplicates skipped, 6 failed\n")

    listed, out = _ingest(runtime, capsys, folder)
    assert listed == []
    assert out == (
        "6 files still skipped, as before.\n0 new, 0 updated, 1 duplicates skipped, 6 failed\n"
    )

    # A new bad file is listed, and one whose content changed; a missing path every time.
    (folder / "new.json").write_text("{", encoding="utf-8")
    (folder / "empty.txt").write_text(" ", encoding="utf-8")
    listed, out = _ingest(runtime, capsys, folder, tmp_path / "missing")
    assert {line.split(": ")[1] for line in listed} == {
        str(folder / "empty.txt"),
        str(folder / "new.json"),
        str(tmp_path / "missing"),
    }
    assert len(listed) == 3
    assert "5 files still skipped, as before." in out
    listed, out = _ingest(runtime, capsys, folder, tmp_path / "missing")
    assert listed == [f"failed: {tmp_path / 'missing'}: no such file or folder"]
    assert "7 files still skipped, as before." in out

    # A fixed file is indexed and no longer counted.
    (folder / "half.json").write_text(_article("Bridge reopens"), encoding="utf-8")
    listed, out = _ingest(runtime, capsys, folder)
    assert listed == []
    assert "6 files still skipped, as before.\n1 new, 0 updated, 1 duplicates" in out


def test_other_targets_keep_a_folders_marks(
    runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        folder.mkdir()
        for name, text in list(BROKEN.items())[:2]:
            (folder / name).write_text(text, encoding="utf-8")
    assert len(_ingest(runtime, capsys, first)[0]) == 2  # nothing to index: no model loaded
    assert len(_ingest(runtime, capsys, second)[0]) == 2
    # Written with a trailing slash: the same folder.
    listed, out = _ingest(runtime, capsys, f"{first}/")
    assert listed == []
    assert out.startswith("2 files still skipped, as before.\n")
    marks = json.loads((tmp_path / "data" / FAILURE_MARKS_FILE).read_text(encoding="utf-8"))
    assert sorted(marks) == [str(first.resolve()), str(second.resolve())]


def test_damaged_marks_make_every_failure_new_again(
    runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "half.json").write_text(BROKEN["half.json"], encoding="utf-8")
    assert len(_ingest(runtime, capsys, folder)[0]) == 1
    (tmp_path / "data" / FAILURE_MARKS_FILE).write_text("{not json", encoding="utf-8")
    assert len(_ingest(runtime, capsys, folder)[0]) == 1
    assert _ingest(runtime, capsys, folder)[0] == []
