"""The typed callback context: handlers reach their services as `context.services`."""

from __future__ import annotations

from typing import Any

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.services import BotServices


class BotData:
    """Application-wide data: the services container, set once by `build_application`."""

    def __init__(self) -> None:
        self.services: BotServices | None = None


class NewsContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """CallbackContext with typed access to the bot's services."""

    @property
    def services(self) -> BotServices:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are not set: build the application with build_application")
        return services


def news_context_types() -> ContextTypes[NewsContext, dict[Any, Any], dict[Any, Any], BotData]:
    return ContextTypes(context=NewsContext, bot_data=BotData)
