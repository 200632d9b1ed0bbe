"""Settings: read once, at the edge, from the environment and an optional `.env` file.

Every field is documented in `.env.example`. Nothing below `bot/` reads the environment:
the values are passed down as small typed objects.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Every Python level name but NOTSET (which would silence nothing and log everything).
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_HTTP_URL = "an http:// or https:// address"


# The PostgreSQL driver the project installs (the `postgres` extra: psycopg 3).
POSTGRES_DRIVER_SCHEME = "postgresql+psycopg"


def with_postgres_driver(url: str) -> str:
    """`postgres://...` and `postgresql://...` (the form Heroku, Render and docker-compose
    hand out) as the installed driver's URL: SQLAlchemy knows no `postgres` and reads a bare
    `postgresql` as psycopg2, which is not installed. Other URLs are returned unchanged."""
    scheme, separator, rest = url.partition("://")
    if separator and scheme.lower() in ("postgres", "postgresql"):
        return f"{POSTGRES_DRIVER_SCHEME}://{rest}"
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        populate_by_name=True,
    )

    # Storage
    data_dir: Path = Field(default=Path("data"), validation_alias="NEWSBOT_DATA_DIR")
    database_url: str = Field(default="", validation_alias="DATABASE_URL")

    # Embedding and index
    embedding_model: str = Field(default="all-MiniLM-L6-v2", validation_alias="EMBEDDING_MODEL")
    embedding_precision: Literal["auto", "fp32", "bf16"] = Field(
        default="auto", validation_alias="EMBEDDING_PRECISION"
    )
    embedding_batch_size: int = Field(default=32, ge=1, validation_alias="EMBEDDING_BATCH_SIZE")
    chunk_words: int = Field(default=200, ge=20, validation_alias="CHUNK_WORDS")
    chunk_overlap_words: int = Field(default=40, ge=0, validation_alias="CHUNK_OVERLAP_WORDS")
    approximate_index_threshold: int = Field(
        default=200_000, ge=1, validation_alias="APPROXIMATE_INDEX_THRESHOLD"
    )
    cpu_threads: int = Field(default=2, ge=1, validation_alias="CPU_THREADS")

    # Answering
    answer_passages: int = Field(default=6, ge=1, le=20, validation_alias="ANSWER_PASSAGES")
    openai_base_url: str | None = Field(
        default=None, validation_alias="OPENAI_BASE_URL", description=f"{_HTTP_URL}, or empty"
    )
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    llm_model: str = Field(default="gpt-4o-mini", validation_alias="LLM_MODEL")
    # One question's time for all its LLM calls, retries included (`retrieval/llm.py`'s
    # LLMBudget); also each request's own timeout. Retries run only while time is left.
    llm_timeout_seconds: float = Field(default=30.0, gt=0, validation_alias="LLM_TIMEOUT_SECONDS")
    llm_max_retries: int = Field(default=1, ge=0, validation_alias="LLM_MAX_RETRIES")
    # The longest answer, in tokens: what bounds a streamed answer the user is reading.
    llm_max_tokens: int = Field(default=700, ge=16, le=32768, validation_alias="LLM_MAX_TOKENS")
    timezone: str = Field(
        default="UTC",
        validation_alias="NEWSBOT_TIMEZONE",
        description="an IANA time zone such as UTC or Europe/Berlin",
    )

    # Telegram
    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias="TELEGRAM_BOT_TOKEN"
    )
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot",
        validation_alias="TELEGRAM_API_BASE_URL",
        description=_HTTP_URL,
    )
    admin_user_ids: Annotated[tuple[int, ...], NoDecode] = Field(
        default=(),
        validation_alias="ADMIN_USER_IDS",
        description="Telegram user ids (whole numbers) separated by commas, or empty",
    )
    admin_chat_id: int | None = Field(
        default=None,
        validation_alias="ADMIN_CHAT_ID",
        description="a Telegram chat id (a whole number), or empty",
    )
    questions_per_user_per_hour: int = Field(
        default=30, ge=0, validation_alias="QUESTIONS_PER_USER_PER_HOUR"
    )
    webhook_url: str | None = Field(
        default=None, validation_alias="WEBHOOK_URL", description=f"{_HTTP_URL}, or empty"
    )
    webhook_listen: str = Field(default="0.0.0.0", validation_alias="WEBHOOK_LISTEN")
    webhook_port: int = Field(default=8443, ge=1, le=65535, validation_alias="WEBHOOK_PORT")
    webhook_secret: SecretStr | None = Field(default=None, validation_alias="WEBHOOK_SECRET")

    # Alerts
    alert_threshold: float = Field(default=0.45, ge=-1, le=1, validation_alias="ALERT_THRESHOLD")
    # Off: direct route only (narrow topics stay narrow; broad ones like "sports" are missed).
    alert_corpus_route: bool = Field(default=True, validation_alias="ALERT_CORPUS_ROUTE")
    # Articles published longer ago than this when matched queue no alert (0: no limit).
    alert_max_age_hours: float = Field(default=72, ge=0, validation_alias="ALERT_MAX_AGE_HOURS")
    # More instant alerts than this for one subscription in one match run: one summary message.
    alert_max_per_run: int = Field(default=10, ge=1, validation_alias="ALERT_MAX_PER_RUN")
    max_subscriptions_per_chat: int = Field(
        default=20, ge=1, validation_alias="MAX_SUBSCRIPTIONS_PER_CHAT"
    )
    feed_poll_minutes: int = Field(default=30, ge=1, validation_alias="FEED_POLL_MINUTES")

    # Fetching user-supplied URLs
    fetch_max_bytes: int = Field(default=5_000_000, ge=1024, validation_alias="FETCH_MAX_BYTES")
    fetch_timeout_seconds: float = Field(
        default=15.0, gt=0, validation_alias="FETCH_TIMEOUT_SECONDS"
    )
    allow_private_urls: bool = Field(default=False, validation_alias="ALLOW_PRIVATE_URLS")

    log_level: str = Field(
        default="INFO",
        validation_alias="LOG_LEVEL",
        description=f"one of {', '.join(LOG_LEVELS)} (any case)",
    )

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            # Commas separate ids: "123 456" is a typo to refuse, not the id 123456.
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.lstrip("-").isdigit() for part in parts):
                raise ValueError("not a list of whole numbers")
            return tuple(int(part) for part in parts)
        if isinstance(value, int):
            return (value,)
        return value

    @field_validator("openai_base_url", "webhook_url", "admin_chat_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("openai_base_url", "webhook_url", "telegram_api_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        # Caught here, a typo is one line; caught by httpx or PTB, it is a traceback.
        if value is None:
            return None
        value = value.strip()
        try:
            parts = urlsplit(value)
            port_ok = parts.port is None or parts.port > 0
        except ValueError:  # a port that is not a number, a malformed IPv6 address
            port_ok = False
        if (
            parts.scheme.lower() not in ("http", "https")
            or not parts.hostname
            or not port_ok
            or any(character.isspace() for character in value)
        ):
            raise ValueError("not an http(s) URL")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        value = value.strip()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            # Zone names are case-sensitive files: accept "europe/berlin" as "Europe/Berlin".
            spelled = {zone.lower(): zone for zone in available_timezones()}
            if value.lower() in spelled:
                return spelled[value.lower()]
            raise ValueError("unknown time zone") from None
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS and level not in ("WARN", "FATAL"):
            raise ValueError("unknown log level")
        return logging.getLevelName(logging.getLevelNamesMapping()[level])

    @field_validator("telegram_bot_token", "openai_api_key", "webhook_secret", mode="before")
    @classmethod
    def _blank_secret_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.chunk_overlap_words >= self.chunk_words:
            raise ValueError(
                f"CHUNK_OVERLAP_WORDS ({self.chunk_overlap_words}) must be smaller than "
                f"CHUNK_WORDS ({self.chunk_words})"
            )
        token = self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else ""
        if token and ":" not in token:
            raise ValueError("TELEGRAM_BOT_TOKEN does not look like a bot token (id:secret)")
        return self

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def resolved_database_url(self) -> str:
        """The URL to connect with; messages name `database_url`, as the user wrote it."""
        if url := self.database_url.strip():
            return with_postgres_driver(url)
        return f"sqlite:///{(self.data_dir / 'newsbot.db').as_posix()}"

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_base_url or self.openai_api_key)
