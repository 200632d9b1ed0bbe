"""Alert messages, the /alerts list, button data and /digest arguments (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.alerts_render import (
    alert_plain,
    button_data,
    parse_button,
    render_alert,
    render_digest,
    render_subscriptions,
    subscriptions_keyboard,
    topic_label,
)
from bot.emulator import html_to_plain
from bot.emulator_html import parse_html
from bot.handlers_alerts import parse_digest
from bot.html_text import MAX_MESSAGE_LENGTH, visible_length
from index.types import PendingDelivery, StoredArticle, Subscription

WHEN = datetime(2024, 11, 14, 23, 30, tzinfo=UTC)


def subscription(**values: object) -> Subscription:
    fields: dict[str, object] = {
        "id": 7,
        "chat_id": 1,
        "topic": "chip export controls",
        "must_words": ("china", "south korea"),
        "exclude_words": ("stocks",),
        "active": True,
        "digest_hours": None,
        "last_digest_at": None,
        "created_at": WHEN,
        "number": 2,
    }
    fields.update(values)
    return Subscription(**fields)  # type: ignore[arg-type]


def stored(title: str = "Chips <b>& China</b>", url: str | None = "https://a.example/x?a=1&b=2"):
    return StoredArticle(
        id=3,
        key="k",
        title=title,
        body="body",
        source="Trade & Daily",
        published_at=WHEN,
        url=url,
        language="en",
        content_hash="h",
        story_id=3,
    )


def delivery(
    reason: str = "Officials said <controls> & rules would hurt trade.",
) -> PendingDelivery:
    return PendingDelivery(
        id=1,
        subscription_id=7,
        chat_id=1,
        article_id=3,
        story_id=3,
        score=0.5,
        reason=reason,
        topic="chip export controls",
        created_at=WHEN,
    )


def test_topic_label_writes_the_filters_back_as_typed() -> None:
    assert topic_label(subscription()) == 'chip export controls +china +"south korea" -stocks'


def test_an_alert_is_escaped_linked_and_says_why() -> None:
    html = render_alert(delivery(), stored(), tz=ZoneInfo("Asia/Seoul"))
    parsed = parse_html(html)  # raises on what Telegram would refuse
    assert parsed.text.splitlines() == [
        "Chips <b>& China</b>",
        "Trade & Daily, 15 Nov 2024",  # the bot's timezone decides the day
        # the title's "Chips"; the body holds no other topic word: the alert is named too
        "Why: “chip export controls”: mentions chip",
        "Officials said <controls> & rules would hurt trade.",
    ]
    assert 'href="https://a.example/x?a=1&amp;b=2"' in html
    assert "javascript" not in render_alert(delivery(), stored(url="javascript:alert(1)"))
    plain = alert_plain(delivery(), stored())
    assert plain.startswith("Alert on chip export controls: Chips <b>& China</b> (Trade & Daily")


def test_a_long_reason_is_cut() -> None:
    html = render_alert(delivery("word " * 500), stored())
    assert visible_length(parse_html(html).text) < 600


def test_a_long_digest_is_split_between_stories() -> None:
    items = [(delivery("x" * 150), stored(title=f"Story {n} " + "t" * 200)) for n in range(40)]
    pieces = render_digest(subscription(), items)
    assert len(pieces) > 1
    assert pieces[0].startswith("<b>Digest: chip export controls")
    assert "(40 new stories)" in pieces[0]
    text = [html_to_plain(piece) for piece in pieces]
    assert all(visible_length(parse_html(p).text) <= MAX_MESSAGE_LENGTH for p in pieces)
    assert sum(t.count("• Story") for t in text) == 40


def test_the_list_and_its_buttons() -> None:
    rain = {"topic": "rain", "must_words": (), "exclude_words": (), "digest_hours": 6}
    subs = [subscription(), subscription(id=8, number=5, active=False, **rain)]
    text = html_to_plain(render_subscriptions(subs))
    assert text.splitlines()[:3] == [
        "Your alerts (2)",
        # The chat's own numbers, not the subscription ids (7 and 8).
        '2. chip export controls +china +"south korea" -stocks (instant)',
        "5. rain (paused, digest every 6 hours)",  # resuming brings the digest back
    ]
    keyboard = subscriptions_keyboard(subs)
    assert keyboard is not None
    rows = [[(b.text, b.callback_data) for b in row] for row in keyboard.inline_keyboard]
    assert rows == [
        [("Pause 2", "al:p:2"), ("Remove 2", "al:x:2"), ("Daily digest 2", "al:d:2")],
        [("Resume 5", "al:r:5"), ("Remove 5", "al:x:5"), ("Instant 5", "al:i:5")],
    ]
    assert subscriptions_keyboard([]) is None


def test_a_paused_alert_says_how_it_comes_back() -> None:
    rain = {"topic": "rain", "must_words": (), "exclude_words": ()}
    subs = [
        subscription(number=1, active=False, **rain),
        subscription(number=2, active=False, digest_hours=24, **rain),
        subscription(number=3, digest_hours=1, **rain),
    ]
    text = html_to_plain(render_subscriptions(subs))
    assert text.splitlines()[1:4] == [
        "1. rain (paused)",
        "2. rain (paused, digest every 24 hours)",
        "3. rain (digest every hour)",
    ]


def test_a_forum_list_says_where_each_alert_posts() -> None:
    rain = {"must_words": (), "exclude_words": ()}
    subs = [
        subscription(number=1, topic="rain", thread_id=11, **rain),
        subscription(number=2, topic="dams", thread_id=33, active=False, **rain),
        subscription(number=3, topic="ports", **rain),
    ]
    in_eleven = html_to_plain(render_subscriptions(subs, forum=True, here=11))
    assert in_eleven.splitlines()[1:4] == [
        "1. rain (instant, here)",
        "2. dams (paused, in another topic)",
        "3. ports (instant, in General)",
    ]
    in_general = html_to_plain(render_subscriptions(subs, forum=True))
    assert in_general.splitlines()[3] == "3. ports (instant, here)"
    assert html_to_plain(render_subscriptions(subs)).splitlines()[3] == "3. ports (instant)"


def test_button_data_round_trips_and_forgeries_are_refused() -> None:
    assert parse_button(button_data("x", 12)) == ("remove", 12)
    for forged in (None, "", "al:x", "al:z:1", "al:x:-1", "al:x:1:2", "ad:x:1", "al:x:one"):
        assert parse_button(forged) is None


def test_digest_arguments() -> None:
    assert parse_digest("2 6") == (2, 6)
    assert parse_digest("#2 6h") == (2, 6)
    assert parse_digest("1 off") == (1, None)
    for bad in ("", "1", "one 6", "1 0.5", "1 -3", "1 1000", "1 6 7"):
        assert parse_digest(bad) is None


def test_why_says_what_matched_and_the_quote_is_never_furniture() -> None:
    body = (
        "According to a trial lawyer, the custody case will likely start over.\n\n"
        "Contributing: Maria Puente"
    )
    pitt = StoredArticle(3, "k", "Brad Pitt talks retirement", body, "USA Today", WHEN,
                         "https://u.example/p", "en", "h")  # fmt: skip
    alert = delivery("Contributing: Maria Puente")
    unrelated = PendingDelivery(1, 7, 1, 3, 3, 0.5, alert.reason, "Madison Cawthorn primary", WHEN)
    lines = parse_html(render_alert(unrelated, pitt)).text.splitlines()
    assert lines[2] == "Why: close in meaning to “Madison Cawthorn primary”"
    assert lines[3] == "According to a trial lawyer, the custody case will likely start over."
    custody = PendingDelivery(1, 7, 1, 3, 3, 0.5, "Contributing: Maria Puente", "custody", WHEN)
    assert parse_html(render_alert(custody, pitt)).text.splitlines()[2] == "Why: mentions custody"
    digest = html_to_plain(render_digest(subscription(topic="custody"), [(custody, pitt)])[0])
    assert "mentions custody: According to a trial lawyer" in digest
    assert "Contributing" not in digest
