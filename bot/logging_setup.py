"""Logging for the command line and the bot, with secrets scrubbed from every record."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator
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


class _UnparsedReply(logging.Filter):
    """PTB logs a Bot API reply that is no JSON (a proxy's or web server's error page) with
    the traceback of its JSON decoder at ERROR, then raises an error that says the same:
    a one-line warning (the body it quotes) is all that helps."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Can not load invalid JSON data"):
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_UNPARSED_REPLY = _UnparsedReply()
_PTB_REQUEST_LOGGER = "telegram.request.BaseRequest"


def configure_logging(
    level: str, secrets: Iterable[str] = (), *, terminal_level: str | None = None
) -> None:
    """Root logger to stderr; noisy libraries quieter; secrets scrubbed on every handler.
    `terminal_level` raises what reaches stderr above `level` (one-shot commands print
    their results there and keep INFO lines out of them)."""
    handler = logging.StreamHandler()
    if terminal_level is not None:
        handler.setLevel(terminal_level.upper())
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
    logging.getLogger(_PTB_REQUEST_LOGGER).addFilter(_UNPARSED_REPLY)  # added once


def log_to_file(path: Path) -> bool:
    """Keep the terminal for warnings and errors, and send every record at the configured
    level to `path` too: the offline chat prints the bot's replies on the same terminal, and
    INFO lines ("Application is stopping") between them read as part of the chat. False
    (a warning, the terminal keeps everything) when `path` cannot be written."""
    root = logging.getLogger()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # no data folder: opening the database says so, in one line
        return False
    try:
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


# What a notice says, given with `extra={"notice": ..., "notice_key": ...}` by a caller
# that knows better than the generic line; the key makes it print once per run.
NOTICE = "notice"
NOTICE_KEY = "notice_key"
MAX_NOTICE_CHARS = 160
_LLM_LOGGER = "retrieval.llm"


def notice_for(record: logging.LogRecord, log_file: Path) -> tuple[str, str]:
    """(key, one short plain line) telling a terminal user about a WARNING or worse record;
    lines with the same key are shown once (the details stay in `log_file`)."""
    given = getattr(record, NOTICE, None)
    if isinstance(given, str) and given:
        return str(getattr(record, NOTICE_KEY, given)), f"note: {given}"
    message = record.getMessage().splitlines()[0] if record.getMessage() else ""
    if record.name == _LLM_LOGGER:  # "LLM request failed: APITimeoutError"
        reason = message.split(": ", 1)[-1][:80]
        line = f"LLM not reachable ({reason}): answering from the articles' own sentences"
        return "llm", f"note: {line} (details in {log_file})"
    if len(message) > MAX_NOTICE_CHARS:
        message = message[: MAX_NOTICE_CHARS - 1] + "…"
    kind = "error" if record.levelno >= logging.ERROR else "warning"
    return f"{record.name}:{message}", f"{kind}: {message} (details in {log_file})"


class NoticeHandler(logging.Handler):
    """Turns WARNING and worse records into short lines for `sink(key, line)`; the records
    themselves go to the log file."""

    def __init__(self, sink: Callable[[str, str], None], log_file: Path) -> None:
        super().__init__(logging.WARNING)
        self._sink = sink
        self._log_file = log_file

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._sink(*notice_for(record, self._log_file))
        except Exception:  # a notice must never break the code that logged
            self.handleError(record)


@contextlib.contextmanager
def notices_instead_of_terminal(log_file: Path, sink: Callable[[str, str], None]) -> Iterator[bool]:
    """For the offline chat: every record to `log_file`, and in place of the terminal's
    log lines (timestamped, landing anywhere in the chat) short notices to `sink`. Yields
    False, changing nothing else, when the file cannot be written (the terminal keeps the
    log then). Restores the handlers afterwards."""
    root = logging.getLogger()
    terminal = [h for h in root.handlers if not isinstance(h, logging.FileHandler)]
    before = root.handlers[:]
    if not log_to_file(log_file):
        yield False
        return
    added = [h for h in root.handlers if h not in before]
    notices = NoticeHandler(sink, log_file)
    for handler in terminal:
        for log_filter in handler.filters:
            notices.addFilter(log_filter)
        root.removeHandler(handler)
    root.addHandler(notices)
    try:
        yield True
    finally:
        root.removeHandler(notices)
        for handler in added:
            root.removeHandler(handler)
            handler.close()
        for handler in terminal:
            root.addHandler(handler)
