"""What an alert shows of its article besides the headline: why it matched, the sentence
quoted (pure, plain text).

Both read the whole article (its words, its sentences when the stored reason is unusable):
an `AlertView` is made once per delivery, off the event loop (`bot/alerts_compose.py`), and
shared by every rendering of it (the message, the chat turn, a cut digest's record).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.html_text import truncate
from index.types import PendingDelivery, StoredArticle
from retrieval.alert_reason import shown_reason
from retrieval.topic_mentions import mentions, topic_words

MAX_REASON = 400
MAX_WHY = 120
# What an alert's "Why" says (here rather than in `bot/messages.py`: another owner today).
WHY_MENTIONS = "mentions"
WHY_BY_MEANING = "close in meaning to"


def why_matched(topic: str, article: StoredArticle) -> str:
    """What of the topic the article holds ("mentions North Korea, missiles"), or that it
    matched by meaning only ("close in meaning to “Madison Cawthorn primary”"); plain."""
    held = mentions(topic, f"{article.title}\n{article.body}")
    topic = " ".join(topic.split())
    if held:
        said = f"{WHY_MENTIONS} {', '.join(held)}"
        covered = {word for phrase in held for word in phrase.split()}
        if all(word in covered for word, _ in topic_words(topic)):
            return truncate(said, MAX_WHY)  # the words are the topic: it needs no naming
        # Part of the topic only: name the alert too, so a chat following several knows which.
        return truncate(f"“{topic}”: {said}", MAX_WHY)
    return f"{WHY_BY_MEANING} “{truncate(topic, MAX_WHY - len(WHY_BY_MEANING) - 3)}”"


def _reason(delivery: PendingDelivery, article: StoredArticle) -> str:
    """The sentence quoted under an alert: never page furniture, never the headline again."""
    reason = " ".join(shown_reason(delivery.reason, delivery.topic, article.body).split())
    return "" if reason == " ".join(article.title.split()) else truncate(reason, MAX_REASON)


@dataclass(frozen=True)
class AlertView:
    """What an alert shows of its article besides the headline (plain): why it matched and
    the sentence quoted. Both read the whole article: made once per delivery, off the
    event loop (`bot/alerts_compose.py`), and shared by every rendering of it."""

    why: str
    reason: str


def alert_view(delivery: PendingDelivery, article: StoredArticle) -> AlertView:
    return AlertView(why_matched(delivery.topic, article), _reason(delivery, article))
