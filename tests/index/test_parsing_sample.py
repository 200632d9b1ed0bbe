"""The plain-text sample format: the real sample file, encodings, and broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.parsing import parse_path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "sample" / "000_a7b569a2979bba2d.txt"
TITLE = "Blinken in Seoul after strengthening relations between North Korea and Russia"

ARTICLE = (
    "Storm closes schools\n\n\n"
    "(Lisbon) A storm closed schools on Monday.\n\n"
    "Rain is expected to continue — officials said “stay home”.\n"
    "source site-07"
)


def test_real_sample_file() -> None:
    result = parse_path(SAMPLE)

    assert result.failures == ()
    (article,) = result.articles
    assert article.title == TITLE
    assert article.source == "site-59"
    assert article.published_at is None
    assert article.url is None
    assert article.body.startswith("(Seoul) US Secretary of State Antony Blinken is in Seoul")
    assert article.body.endswith("prohibits it from selling weapons to countries at war.")
    assert "source site-59" not in article.body
    assert "\n\nSpy satellite\n\n" in article.body  # a subheading stays a paragraph
    assert "\n\n\n" not in article.body


def _write(tmp_path: Path, data: bytes, name: str = "story.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("utf-8", ARTICLE.encode("utf-8")),
        ("utf-8 with BOM", b"\xef\xbb\xbf" + ARTICLE.encode("utf-8")),
        ("CRLF", ARTICLE.replace("\n", "\r\n").encode("utf-8")),
        ("BOM and CRLF", b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode("utf-8")),
        ("cp1252", ARTICLE.encode("cp1252")),
        ("utf-16", ARTICLE.encode("utf-16")),
    ],
)
def test_encodings_and_line_endings(tmp_path: Path, label: str, data: bytes) -> None:
    result = parse_path(_write(tmp_path, data))

    assert result.failures == (), label
    (article,) = result.articles
    assert article.title == "Storm closes schools"
    assert article.source == "site-07"
    assert article.body == (
        "(Lisbon) A storm closed schools on Monday.\n\n"
        "Rain is expected to continue — officials said “stay home”."
    )


def test_latin1_bytes_that_cp1252_cannot_decode(tmp_path: Path) -> None:
    # 0x81 is undefined in cp1252: the Latin-1 fallback still reads the file.
    data = "Café news\n\n(Paris) The café reopened.\n".encode("latin-1") + b"\x81 done.\n"
    (article,) = parse_path(_write(tmp_path, data)).articles

    assert article.title == "Café news"
    assert article.body.startswith("(Paris) The café reopened.")


def test_file_without_extension_and_without_trailer(tmp_path: Path) -> None:
    path = _write(tmp_path, b"Title here\n(Rome) Body text.\n", name="story")
    (article,) = parse_path(path).articles

    assert (article.title, article.body, article.source) == (
        "Title here",
        "(Rome) Body text.",
        None,
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"\n \r\n\t\n", "empty file"),
        (b"Only a title\n", "no body text"),
        (b"Only a title\n\n\nsource site-03\n", "no body text"),
        (bytes(range(256)) * 8, "binary data, not text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary data, not text"),
    ],
)
def test_broken_files_are_failures(tmp_path: Path, data: bytes, reason: str) -> None:
    path = _write(tmp_path, data)
    result = parse_path(path)

    assert result.articles == ()
    assert [(f.name, f.reason) for f in result.failures] == [(str(path), reason)]


def test_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(51 * 1024 * 1024)  # sparse: nothing is written or read

    (failure,) = parse_path(path).failures
    assert failure.reason == "larger than 50 MB"
