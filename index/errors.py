"""The one error hierarchy of newsbot.

Every error here carries `user_message`, a text that is safe to show to a user in chat
or on the command line (no paths, secrets or tracebacks). Anything that is not a
`NewsbotError` is a bug: it is logged with its traceback and the user gets an apology.
"""

from __future__ import annotations

import errno
from pathlib import Path


class NewsbotError(Exception):
    """Base class: an expected failure with a message safe to show a user."""

    default_message = "Something went wrong."

    def __init__(self, user_message: str | None = None) -> None:
        self.user_message = user_message or self.default_message
        super().__init__(self.user_message)


class BadInputError(NewsbotError):
    """The user asked for something malformed (a usage problem, not a bug)."""

    default_message = "That input could not be understood."


class ParseError(NewsbotError):
    """An article file, feed or page could not be parsed."""

    default_message = "The document could not be parsed."


class FetchError(NewsbotError):
    """A URL could not be fetched (refused, too big, too slow, HTTP error)."""

    default_message = "The address could not be fetched."


class IndexMismatchError(NewsbotError):
    """The saved vector index was built with another model or dimension."""

    default_message = (
        "The saved index was built with a different embedding model. "
        "Run a full re-index (newsbot reindex --full)."
    )


class ModelUnavailableError(NewsbotError):
    """The embedding model could not be loaded (no such folder, not downloadable)."""

    default_message = "The embedding model could not be loaded."


class StorageError(NewsbotError):
    """The database could not be read or written."""

    default_message = "The article store is not available right now."

    def __init__(self, user_message: str | None = None, *, detail: str | None = None) -> None:
        super().__init__(user_message)
        # For the operator at start-up (the command line, logs), never for chat: it may name
        # a path or the driver's reason ("Connection refused"), never a password.
        self.detail = detail


class IndexFolderError(StorageError):
    """The index folder cannot be written (read-only, not permitted, disk full, a file in
    the way); `detail` names the folder and the system's reason."""

    default_message = "The index folder cannot be written."

    def __init__(self, folder: Path, error: OSError) -> None:
        reason = os_reason(error)
        super().__init__(
            f"The index folder cannot be written ({reason}).",
            detail=f"cannot write in {folder}: {reason}",
        )
        self.folder = folder
        self.reason = reason


def os_reason(error: OSError) -> str:
    """The system's reason for `error` in a few lower-case words ("read-only file system");
    a full disk says so plainly."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    text = error.strerror or type(error).__name__
    return text[:1].lower() + text[1:]


class LLMError(NewsbotError):
    """The language model endpoint failed (timeout, rate limit, server error, bad reply)."""

    default_message = "The language model is not available right now."


class RateLimitedError(NewsbotError):
    """A user asked more often than the configured limit allows."""

    default_message = "You are asking a lot of questions. Please wait a little and try again."


class PermissionDeniedError(NewsbotError):
    """The user may not run this command."""

    default_message = "This command is for admins."


def cause_chain(exc: BaseException) -> list[BaseException]:
    """`exc` and what it was raised from (or during), outermost first, cycles cut: where a
    library wraps the failure that tells what happened (a timeout, an offline hub)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain
