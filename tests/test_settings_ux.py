"""Bad settings: one line per setting that names it, its value and what is allowed.

Settings are checked when they are read, so a typo never reaches the timezone library, the
logging module, httpx or PTB as a traceback; the database and the LLM are named at start-up.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import make_url

from bot import cli_run
from bot.cli_run import llm_problem, start_llm_check
from bot.runtime import Runtime, database_unavailable, masked_url
from bot.settings import Settings
from bot.settings_errors import setting_errors
from index.errors import StorageError
from retrieval.llm import LLMConfig
from tests.fakes.openai_server import FakeOpenAIServer, Fault, Reply
from tests.newsbot_process import run_newsbot

ROOT = Path(__file__).resolve().parents[1]


def _error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert "pydantic" not in result.stderr
    return [line for line in result.stderr.splitlines() if line.strip()]


def _errors(**values: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, **values)  # type: ignore[arg-type]
    return setting_errors(caught.value)


def _free_port() -> int:
    """A port nothing listens on (bound and released at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- one line per bad setting -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("CHUNK_WORDS", "abc", "a whole number >= 20"),
        ("CHUNK_WORDS", "5", "a whole number >= 20"),
        ("ADMIN_USER_IDS", "alice,bob", "Telegram user ids (whole numbers) separated by commas"),
        ("ADMIN_USER_IDS", "123 456", "Telegram user ids (whole numbers) separated by commas"),
        ("EMBEDDING_PRECISION", "fp16", "one of auto, fp32, bf16"),
        ("FETCH_MAX_BYTES", "5MB", "a whole number >= 1024"),
        ("ANSWER_PASSAGES", "0", "a whole number from 1 to 20"),
        ("LLM_TIMEOUT_SECONDS", "soon", "a number > 0"),
        ("ALERT_CORPUS_ROUTE", "maybe", "true or false"),
        ("ADMIN_CHAT_ID", "team", "a Telegram chat id (a whole number), or empty"),
        ("NEWSBOT_TIMEZONE", "Mars/Olympus", "an IANA time zone such as UTC or Europe/Berlin"),
        ("NEWSBOT_TIMEZONE", "America", "an IANA time zone"),  # a folder of zones
        ("NEWSBOT_TIMEZONE", "../etc/passwd", "an IANA time zone"),
        ("LOG_LEVEL", "LOUD", "one of DEBUG, INFO, WARNING, ERROR, CRITICAL (any case)"),
        ("OPENAI_BASE_URL", "not a url", "an http:// or https:// address, or empty"),
        ("OPENAI_BASE_URL", "localhost:8080/v1", "an http:// or https:// address"),
        ("TELEGRAM_API_BASE_URL", "notaurl", "an http:// or https:// address"),
        ("TELEGRAM_API_BASE_URL", "ftp://example.org/bot", "an http:// or https:// address"),
        ("WEBHOOK_URL", "https://bot.example.org:port/", "an http:// or https:// address"),
    ],
)
def test_a_bad_value_is_one_line_naming_it(name: str, value: str, allowed: str) -> None:
    [line] = _errors(**{name: value})
    assert line.startswith(f"{name}={value!r} is not valid: expected {allowed}")
    assert "errors.pydantic.dev" not in line


def test_each_bad_setting_gets_its_own_line() -> None:
    lines = _errors(CHUNK_WORDS="abc", FETCH_MAX_BYTES="5MB", LOG_LEVEL="loud")
    assert [line.split("=")[0] for line in lines] == ["CHUNK_WORDS", "FETCH_MAX_BYTES", "LOG_LEVEL"]


def test_settings_checked_together_keep_a_message_naming_both() -> None:
    [line] = _errors(CHUNK_WORDS="100", CHUNK_OVERLAP_WORDS="100")
    assert line == "CHUNK_OVERLAP_WORDS (100) must be smaller than CHUNK_WORDS (100)"


def test_a_secret_is_never_echoed() -> None:
    [line] = _errors(TELEGRAM_BOT_TOKEN="hunter2-no-colon")
    assert "hunter2" not in line
    assert "TELEGRAM_BOT_TOKEN" in line


@pytest.mark.parametrize(
    ("values", "field", "expected"),
    [
        ({"NEWSBOT_TIMEZONE": "europe/berlin"}, "timezone", "Europe/Berlin"),
        ({"NEWSBOT_TIMEZONE": " Asia/Seoul "}, "timezone", "Asia/Seoul"),
        ({"LOG_LEVEL": "debug"}, "log_level", "DEBUG"),
        ({"LOG_LEVEL": "Warn"}, "log_level", "WARNING"),
        (
            {"OPENAI_BASE_URL": " http://127.0.0.1:8080/v1 "},
            "openai_base_url",
            "http://127.0.0.1:8080/v1",
        ),
        ({"OPENAI_BASE_URL": "   "}, "openai_base_url", None),
        ({"ADMIN_CHAT_ID": ""}, "admin_chat_id", None),
        ({"ADMIN_USER_IDS": "1, 2,-3"}, "admin_user_ids", (1, 2, -3)),
    ],
)
def test_good_values_are_read_as_meant(
    values: dict[str, str], field: str, expected: object
) -> None:
    settings = Settings(_env_file=None, **values)  # type: ignore[arg-type]
    assert getattr(settings, field) == expected


def test_the_documented_example_file_is_valid(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text(encoding="utf-8"))
    settings = Settings(_env_file=tmp_path / ".env")  # type: ignore[call-arg]
    assert settings.admin_chat_id is None
    assert settings.timezone == "UTC"


def test_cli_prints_one_line_per_bad_setting_from_dotenv(tmp_path: Path) -> None:
    dotenv = "NEWSBOT_TIMEZONE=Mars/Olympus\nLOG_LEVEL=LOUD\nCHUNK_WORDS=abc\n"
    result = run_newsbot("stats", folder=tmp_path, dotenv=dotenv)
    assert result.returncode == 2
    assert _error_lines(result) == [
        "newsbot: CHUNK_WORDS='abc' is not valid: expected a whole number >= 20.",
        "newsbot: NEWSBOT_TIMEZONE='Mars/Olympus' is not valid: expected an IANA time zone "
        "such as UTC or Europe/Berlin.",
        "newsbot: LOG_LEVEL='LOUD' is not valid: expected one of DEBUG, INFO, WARNING, ERROR, "
        "CRITICAL (any case).",
    ]


def test_bad_telegram_address_stops_run_before_the_bot_starts(tmp_path: Path) -> None:
    result = run_newsbot(
        "run",
        folder=tmp_path,
        TELEGRAM_BOT_TOKEN="123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        TELEGRAM_API_BASE_URL="notaurl",
    )
    assert result.returncode == 2
    assert _error_lines(result) == [
        "newsbot: TELEGRAM_API_BASE_URL='notaurl' is not valid: "
        "expected an http:// or https:// address."
    ]


# --- the database, named at start-up -------------------------------------------------------


@pytest.mark.parametrize("command", [("stats",), ("run",)])
def test_data_dir_that_is_a_file_names_the_path_and_setting(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    result = run_newsbot(*command, folder=tmp_path, NEWSBOT_DATA_DIR=str(blocker))
    [line] = _error_lines(result)
    assert f"NEWSBOT_DATA_DIR={blocker}" in line
    assert f"cannot create the folder {blocker} (File exists)" in line


@pytest.mark.parametrize("command", [("stats",), ("run",)])
def test_unreachable_database_is_named_with_the_password_masked(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    url = f"postgresql+psycopg://newsbot:s3cret-pw@127.0.0.1:{_free_port()}/news"
    result = run_newsbot(*command, folder=tmp_path, DATABASE_URL=url)
    [line] = _error_lines(result)
    assert result.returncode == 1
    assert "s3cret-pw" not in result.stderr
    assert line.startswith(
        f"newsbot: Cannot open the database {url.replace('s3cret-pw', '***')} (DATABASE_URL): "
    )
    assert "refused" in line.lower()


def test_database_message_for_an_outage_in_chat_is_unchanged() -> None:
    # Only the start-up message names the database; a StorageError itself stays generic.
    error = StorageError(detail="connection refused")
    assert error.user_message == "The article store is not available right now."
    settings = Settings(_env_file=None, DATABASE_URL="postgresql://u:longpassword@h/db")  # type: ignore[call-arg]
    assert database_unavailable(settings, error) == (
        "Cannot open the database postgresql://u:***@h/db (DATABASE_URL): connection refused."
    )


def test_masked_url_hides_only_the_password() -> None:
    assert masked_url("postgresql+psycopg://u:p@127.0.0.1:1/db") == (
        "postgresql+psycopg://u:***@127.0.0.1:1/db"
    )
    assert masked_url("https://user:pa%40ss@host/v1") == "https://user:***@host/v1"
    assert masked_url("postgresql://u@host/db") == "postgresql://u@host/db"
    assert masked_url("sqlite:////srv/news.db") == "sqlite:////srv/news.db"


@pytest.mark.parametrize("password", ["a/b+c=", "pa ss?#1", "p:w/0"])
def test_a_password_sqlalchemy_accepts_unescaped_is_masked(password: str) -> None:
    # A base64 password holds "/" and "+": SQLAlchemy reads it up to the first "@".
    url = f"postgresql+psycopg://newsbot:{password}@db.internal:5432/news"
    assert make_url(url).password == password
    assert masked_url(url) == "postgresql+psycopg://newsbot:***@db.internal:5432/news"
    settings = Settings(_env_file=None, DATABASE_URL=url)  # type: ignore[call-arg]
    message = database_unavailable(settings, StorageError(detail="connection refused"))
    assert password not in message


def test_runtime_engine_failure_names_the_database(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    runtime = Runtime(Settings(_env_file=None, NEWSBOT_DATA_DIR=blocker))  # type: ignore[call-arg]
    with pytest.raises(StorageError) as caught:
        _ = runtime.engine
    assert str(blocker) in caught.value.user_message
    assert "NEWSBOT_DATA_DIR" in caught.value.user_message


# --- the LLM, checked once at `newsbot run` ------------------------------------------------


def _config(server: FakeOpenAIServer | None, model: str, port: int | None = None) -> LLMConfig:
    base_url = server.base_url if server else f"http://127.0.0.1:{port}/v1"
    return LLMConfig(base_url=base_url, api_key="sk-test", model=model, timeout_seconds=5)


def test_llm_check_passes_when_the_model_is_listed() -> None:
    with FakeOpenAIServer(model="news-model").in_thread() as server:
        assert llm_problem(_config(server, "news-model")) is None
        assert [r.path for r in server.requests] == ["/v1/models"]  # no tokens spent


def test_llm_check_names_a_model_the_server_does_not_have() -> None:
    missing = Reply(fault=Fault.SERVER_ERROR, status=404)
    with FakeOpenAIServer(default=missing, model="news-model").in_thread() as server:
        problem = llm_problem(_config(server, "gpt-9-nonexistent"))
        assert problem == "HTTP 404: model 'gpt-9-nonexistent' not found"
        assert server.requests[-1].body is not None
        assert server.requests[-1].body["max_tokens"] == 1


def test_llm_check_accepts_a_server_that_answers_to_any_model_name() -> None:
    with FakeOpenAIServer(["OK"], model="/models/local.gguf").in_thread() as server:
        assert llm_problem(_config(server, "gpt-4o-mini")) is None


def test_llm_check_reports_server_errors_and_unreachable_servers() -> None:
    with FakeOpenAIServer(default=Reply(fault=Fault.SERVER_ERROR, status=503)).in_thread() as s:
        assert llm_problem(_config(s, "other")) == "HTTP 503: The server had an error"
    problem = llm_problem(_config(None, "any", port=_free_port()))
    assert problem is not None
    assert problem.startswith("cannot connect")
    slow = FakeOpenAIServer(default=Reply(fault=Fault.SLOW), slow_seconds=30)
    with slow.in_thread() as server:
        assert llm_problem(_config(server, "other"), timeout=0.5) == "no answer within 0.5 s"


def test_start_llm_check_logs_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.cli_run")
    missing = Reply(fault=Fault.SERVER_ERROR, status=404)
    with FakeOpenAIServer(default=missing).in_thread() as server:
        start_llm_check(_config(server, "gpt-9-nonexistent"))()
        url = server.base_url
    assert [r.getMessage() for r in caplog.records] == [
        f"LLM at {url} not usable (HTTP 404: model 'gpt-9-nonexistent' not found); "
        "answers will be extractive until it is"
    ]
    caplog.clear()
    start_llm_check(None)()  # no LLM configured: extractive by choice, nothing to say
    assert caplog.records == []


@contextmanager
def _trickling_server(most_seconds: float) -> Iterator[int]:
    """An HTTP server that answers with headers and then one byte of body every 0.1 s: each
    read comes well within any timeout, the reply never ends (until `most_seconds`)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    stop = threading.Event()
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9999\r\n\r\n"

    def serve() -> None:
        connections: list[socket.socket] = []
        ends = time.monotonic() + most_seconds
        try:
            while not stop.is_set() and time.monotonic() < ends:
                with contextlib.suppress(TimeoutError):
                    connection, _ = listener.accept()
                    connection.recv(65536)
                    connection.sendall(head)
                    connections.append(connection)
                for connection in connections:
                    with contextlib.suppress(OSError):
                        connection.sendall(b" ")
        finally:
            for connection in connections:
                connection.close()

    server = threading.Thread(target=serve)
    server.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        server.join()
        listener.close()


def test_start_up_waits_a_bounded_time_for_an_llm_reply_that_never_ends(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(cli_run, "LLM_CHECK_WAIT_SECONDS", 0.5, raising=False)
    caplog.set_level(logging.WARNING, logger="bot.cli_run")
    with _trickling_server(most_seconds=20) as port:
        start_llm_check(_config(None, "any", port=port))()
        warnings = [r.getMessage() for r in caplog.records]
    for thread in threading.enumerate():  # the probe ends once the server hangs up
        if thread.name == "newsbot-llm-check":
            thread.join()
    assert len(warnings) == 1
    assert "not usable (no answer within 0.5 s)" in warnings[0]


@pytest.mark.slow
def test_run_warns_once_about_an_unusable_llm_and_starts_anyway(tmp_path: Path) -> None:
    missing = Reply(fault=Fault.SERVER_ERROR, status=404)
    with FakeOpenAIServer(default=missing).in_thread() as server:
        result = run_newsbot(
            "run",
            folder=tmp_path,
            OPENAI_BASE_URL=server.base_url,
            OPENAI_API_KEY="sk-test",
            LLM_MODEL="gpt-9-nonexistent",
        )
    assert result.returncode == 0, result.stderr  # offline chat: stdin at its end, so it quits
    # The offline chat shows one short note; the log line goes to the log file.
    notes = [line for line in result.stdout.splitlines() if "not usable" in line]
    assert len(notes) == 1
    assert notes[0].startswith("note: ")
    assert "HTTP 404: model 'gpt-9-nonexistent' not found" in notes[0]
    assert result.stderr == ""
    log = (tmp_path / "data" / "newsbot.log").read_text(encoding="utf-8")
    warnings = [line for line in log.splitlines() if "not usable" in line]
    assert len(warnings) == 1
    assert "WARNING" in warnings[0]
    assert "Traceback" not in log
    assert "HTTP Request" not in log  # the check's own requests are not logged
