"""An alert, flood or digest made ready to send: its messages and its chat turn (pure).

Made on the alerts service's worker thread (`AlertService.run`), not on the event loop:
each delivery's `AlertView` reads its whole article (a 30-item digest of long bodies is
about a second of CPU), and is made once here for the messages, the chat turn, and the
record of a digest cut short (`bot/alerts_cut.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

from bot.alerts_claims import Item
from bot.alerts_render import alert_plain, render_alert, render_digest, render_flood
from bot.alerts_view import alert_view
from index.types import Subscription


@dataclass(frozen=True)
class Composed:
    """The messages of one unit, and each item's line of the chat turn (items' order)."""

    pieces: list[str]
    lines: list[str]

    @property
    def turn(self) -> str:
        return "\n".join(self.lines)


def compose_alert(item: Item, tz: tzinfo) -> Composed:
    delivery, article = item
    view = alert_view(delivery, article)
    return Composed(
        [render_alert(delivery, article, tz=tz, view=view)],
        [alert_plain(delivery, article, tz=tz, view=view)],
    )


def compose_flood(topic: str, total: int, items: Sequence[Item], tz: tzinfo) -> Composed:
    """A flood's one message of `items` (of `total` matches)."""
    views = [alert_view(d, a) for d, a in items]
    return Composed(
        render_flood(topic, total, items, tz=tz, views=views),
        [alert_plain(d, a, tz=tz, view=v) for (d, a), v in zip(items, views, strict=True)],
    )


def compose_digest(subscription: Subscription, items: Sequence[Item], tz: tzinfo) -> Composed:
    views = [alert_view(d, a) for d, a in items]
    return Composed(
        render_digest(subscription, items, tz=tz, views=views),
        [alert_plain(d, a, tz=tz, view=v) for (d, a), v in zip(items, views, strict=True)],
    )
