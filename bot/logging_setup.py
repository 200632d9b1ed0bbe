"""Logging for the command line and the bot, with secrets scrubbed from every record."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

# Telegram puts the token in request URLs (".../bot123:ABC/sendMessage"); httpx logs them.
_TOKEN_PATTERN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}\b")


class SecretScrubber(logging.Filter):
    """Replaces known secrets and anything shaped like a bot token with ***."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 4]

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _TOKEN_PATTERN.sub("***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        record.msg = self.scrub(message)
        record.args = None
        return True


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    """Root logger to stderr; noisy libraries quieter; secrets scrubbed on every handler."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretScrubber(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    noisy = ("httpx", "httpcore", "telegram.ext.ExtBot", "apscheduler", "urllib3", "alembic")
    # openai 3 sends its requests through httpx2 (the LLM check at start-up, for one).
    for name in (*noisy, "httpx2", "httpcore2"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for library in ("sentence_transformers", "transformers", "faiss"):
        logging.getLogger(library).setLevel(logging.WARNING)


def log_to_file(path: Path) -> bool:
    """Keep the terminal for warnings and errors, and send every record at the configured
    level to `path` too: the offline chat prints the bot's replies on the same terminal, and
    INFO lines ("Application is stopping") between them read as part of the chat. False
    (a warning, the terminal keeps everything) when `path` cannot be written."""
    root = logging.getLogger()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as exc:  # a read-only data folder must not stop the chat
        logging.getLogger(__name__).warning("cannot write the log file %s: %s", path, exc)
        return False
    for existing in root.handlers:
        if handler.formatter is None and existing.formatter is not None:
            handler.setFormatter(existing.formatter)
        for log_filter in existing.filters:
            handler.addFilter(log_filter)
        existing.setLevel(max(existing.level, logging.WARNING))
    root.addHandler(handler)
    return True
