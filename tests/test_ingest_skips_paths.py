"""The same folder typed relative and absolute is one target for `newsbot ingest`'s failure
marks: its broken files are listed once, whichever way it is typed next."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli_index import FAILURE_MARKS_FILE, print_report, run_ingest
from bot.runtime import Runtime
from tests.bot.admin_world import make_runtime


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    return make_runtime(tmp_path / "data")


def _listed(runtime: Runtime, capsys: pytest.CaptureFixture[str], target: str) -> list[str]:
    print_report(run_ingest(runtime, [target], quiet=True), [target])
    return capsys.readouterr().err.splitlines()


def test_a_folder_typed_relative_then_absolute_lists_its_broken_files_once(
    runtime: Runtime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "broken.json").write_text("not json at all {", encoding="utf-8")
    (folder / "lines.jsonl").write_text('{"title": "no body"}\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    assert len(_listed(runtime, capsys, "news")) == 2
    assert _listed(runtime, capsys, str(folder)) == []
    assert _listed(runtime, capsys, "./news/") == []
    assert _listed(runtime, capsys, "news") == []

    marks = json.loads((runtime.settings.data_dir / FAILURE_MARKS_FILE).read_text())
    assert list(marks) == [str(folder.resolve())]
    assert sorted(marks[str(folder.resolve())]) == sorted(
        [str(folder.resolve() / "broken.json"), str(folder.resolve() / "lines.jsonl:1")]
    )
