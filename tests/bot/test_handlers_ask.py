"""Pure helpers of the question handlers."""

from __future__ import annotations

from bot.handlers_ask import command_argument, strip_mention


def test_command_argument_keeps_newlines() -> None:
    assert command_argument("/ask  what\nhappened? ") == "what\nhappened?"
    assert command_argument("/ask@newsbot_bot") == ""
    assert command_argument("") == ""


def test_strip_mention_only_removes_this_bot() -> None:
    assert strip_mention("@NewsBot_bot  what about @newsbot_botany?", "newsbot_bot") == (
        "what about @newsbot_botany?"
    )
