"""DATABASE_URL in the form hosting platforms hand out (`postgres://`, `postgresql://`) means
the PostgreSQL driver the project installs (psycopg 3), with the password still masked."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.conftest import postgres_schema
from tests.newsbot_process import run_newsbot

PASSWORD = "s3cretPW!x"


def _settings(url: str) -> Settings:
    return Settings(_env_file=None, DATABASE_URL=url)  # type: ignore[call-arg]


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "POSTGRES"])
def test_platform_urls_name_the_installed_driver(scheme: str) -> None:
    settings = _settings(f" {scheme}://news:{PASSWORD}@db.internal:5432/news?sslmode=require ")
    assert settings.resolved_database_url == (
        f"postgresql+psycopg://news:{PASSWORD}@db.internal:5432/news?sslmode=require"
    )


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://news:pw@db/news",
        "postgresql+psycopg2://news:pw@db/news",  # a driver chosen on purpose stays
        "sqlite:////var/lib/newsbot/newsbot.db",
    ],
)
def test_other_urls_are_left_as_they_are(url: str) -> None:
    assert _settings(url).resolved_database_url == url


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A local port bound but not listening: connections to it are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_a_postgres_url_reaches_the_driver_and_keeps_its_password_masked(
    tmp_path: Path, refusing_port: int
) -> None:
    url = f"postgres://newsbot:{PASSWORD}@127.0.0.1:{refusing_port}/newsbot"
    result = run_newsbot("stats", folder=tmp_path, DATABASE_URL=url)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "unknown kind of database" not in output
    assert "refused" in output.lower()  # psycopg tried the server
    assert f"postgres://newsbot:***@127.0.0.1:{refusing_port}/newsbot (DATABASE_URL)" in output
    assert PASSWORD not in output
    assert "Traceback" not in output


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("NEWSBOT_TEST_POSTGRES_URL"), reason="needs NEWSBOT_TEST_POSTGRES_URL"
)
def test_a_postgres_url_works_against_a_real_server(tmp_path: Path) -> None:
    with postgres_schema(os.environ["NEWSBOT_TEST_POSTGRES_URL"]) as url:
        platform_url = "postgres://" + url.split("://", 1)[1]
        result = run_newsbot("stats", folder=tmp_path, DATABASE_URL=platform_url)
    assert result.returncode == 0, result.stderr
    assert "Articles: 0" in result.stdout
