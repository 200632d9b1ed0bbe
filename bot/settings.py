"""Settings: read once, at the edge, from the environment and an optional `.env` file.

Every field is documented in `.env.example`. Nothing below `bot/` reads the environment:
the values are passed down as small typed objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


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
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    llm_model: str = Field(default="gpt-4o-mini", validation_alias="LLM_MODEL")
    llm_timeout_seconds: float = Field(default=30.0, gt=0, validation_alias="LLM_TIMEOUT_SECONDS")
    llm_max_retries: int = Field(default=1, ge=0, validation_alias="LLM_MAX_RETRIES")
    timezone: str = Field(default="UTC", validation_alias="NEWSBOT_TIMEZONE")

    # Telegram
    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias="TELEGRAM_BOT_TOKEN"
    )
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot", validation_alias="TELEGRAM_API_BASE_URL"
    )
    admin_user_ids: Annotated[tuple[int, ...], NoDecode] = Field(
        default=(), validation_alias="ADMIN_USER_IDS"
    )
    admin_chat_id: int | None = Field(default=None, validation_alias="ADMIN_CHAT_ID")
    questions_per_user_per_hour: int = Field(
        default=30, ge=0, validation_alias="QUESTIONS_PER_USER_PER_HOUR"
    )
    webhook_url: str | None = Field(default=None, validation_alias="WEBHOOK_URL")
    webhook_listen: str = Field(default="0.0.0.0", validation_alias="WEBHOOK_LISTEN")
    webhook_port: int = Field(default=8443, ge=1, le=65535, validation_alias="WEBHOOK_PORT")
    webhook_secret: SecretStr | None = Field(default=None, validation_alias="WEBHOOK_SECRET")

    # Alerts
    alert_threshold: float = Field(default=0.45, ge=-1, le=1, validation_alias="ALERT_THRESHOLD")
    # Off: direct route only (narrow topics stay narrow; broad ones like "sports" are missed).
    alert_corpus_route: bool = Field(default=True, validation_alias="ALERT_CORPUS_ROUTE")
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

    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(" ", "").split(",") if part)
        if isinstance(value, int):
            return (value,)
        return value

    @field_validator("openai_base_url", "webhook_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token", "openai_api_key", "webhook_secret", mode="before")
    @classmethod
    def _blank_secret_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.chunk_overlap_words >= self.chunk_words:
            raise ValueError("CHUNK_OVERLAP_WORDS must be smaller than CHUNK_WORDS")
        token = self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else ""
        if token and ":" not in token:
            raise ValueError("TELEGRAM_BOT_TOKEN does not look like a bot token (id:secret)")
        return self

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'newsbot.db').as_posix()}"

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_base_url or self.openai_api_key)
