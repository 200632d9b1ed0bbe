"""Folders and dispatch: what is read, what is skipped, and that one bad file stops nothing."""

from __future__ import annotations

import json
from pathlib import Path

from index.parsing import iter_article_files, parse_document, parse_path


def _article_text(title: str) -> str:
    return f"{title}\n\n(Oslo) Body of {title}.\n\nsource site-01\n"


def test_folder_is_walked_sorted_skipping_hidden_and_other_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "2.txt").write_text(_article_text("Two"), encoding="utf-8")
    (tmp_path / "1.txt").write_text(_article_text("One"), encoding="utf-8")
    (tmp_path / "3").write_text(_article_text("Three"), encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(_article_text("Hidden"), encoding="utf-8")
    (tmp_path / ".git" / "x.txt").write_text(_article_text("Git"), encoding="utf-8")
    (tmp_path / "README.md").write_text("# not an article", encoding="utf-8")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")

    result = parse_path(tmp_path)

    assert [a.title for a in result.articles] == ["One", "Three", "Two"]
    assert [(f.name, f.reason[:12]) for f in result.failures] == [
        (str(tmp_path / "broken.json"), "invalid JSON")
    ]
    assert [p.name for p in iter_article_files(tmp_path)] == ["1.txt", "3", "broken.json", "2.txt"]


def test_a_file_given_by_name_is_read_whatever_its_extension(tmp_path: Path) -> None:
    path = tmp_path / "article.md"
    path.write_text(_article_text("Named"), encoding="utf-8")

    assert [a.title for a in parse_path(path).articles] == ["Named"]


def test_missing_path(tmp_path: Path) -> None:
    result = parse_path(tmp_path / "nowhere")

    assert [(f.name, f.reason) for f in result.failures] == [
        (str(tmp_path / "nowhere"), "no such file or folder")
    ]


def test_json_is_sniffed_from_bytes_and_content_type() -> None:
    data = json.dumps({"title": "T", "body": "B."}).encode()

    assert parse_document(data, name="x").articles[0].title == "T"
    assert parse_document(data, name="x", content_type="application/json").articles[0].body == "B."


def test_plain_text_document_keeps_the_given_url() -> None:
    data = _article_text("Fetched").encode()
    (article,) = parse_document(
        data, name="u", content_type="text/plain; charset=utf-8", url="https://a.example/1"
    ).articles

    assert (article.title, article.url, article.source) == (
        "Fetched",
        "https://a.example/1",
        "site-01",
    )


def test_unsupported_content_type() -> None:
    result = parse_document(
        b"%PDF-1.7 text-like header", name="doc", content_type="application/pdf"
    )

    assert [f.reason for f in result.failures] == ["unsupported content type application/pdf"]
