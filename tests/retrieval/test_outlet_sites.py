"""One site is one outlet: a page's site name, its web addresses and its feed's title are
counted together (`same_site_outlets`), while different outlets stay apart."""

from __future__ import annotations

from index.parsing.html_pages import parse_html_page
from retrieval.outlet_names import same_site_outlets

BODY = "<p>" + "The council met on Monday to vote on the budget for schools and roads. " * 8


def _page(site: str | None) -> bytes:
    meta = f'<meta property="og:site_name" content="{site}">' if site else ""
    return (
        f"<html><head><title>Budget vote</title>{meta}</head><body><article>"
        f"<h1>Budget vote</h1>{BODY}</p></article></body></html>"
    ).encode()


def test_pages_of_one_site_are_one_outlet() -> None:
    pages = [
        ("https://www.cnn.com/2024/05/01/politics/budget/index.html", "CNN"),
        ("https://edition.cnn.com/2024/05/02/world/budget/index.html", None),
        ("https://www.cnn.com/2024/05/03/us/budget/index.html", None),
        ("https://www.bbc.co.uk/news/articles/c1", "BBC News"),
        ("https://www.bbc.com/news/articles/c2", None),
    ]
    sources = [parse_html_page(_page(site), url=url).source for url, site in pages]
    # What the store counts per outlet: five articles, four names.
    assert sorted(s for s in sources if s) == [
        "BBC News",
        "CNN",
        "bbc.com",
        "cnn.com",
        "edition.cnn.com",
    ]
    counts = [(name, sources.count(name)) for name in dict.fromkeys(sources) if name]
    assert same_site_outlets(counts) == (("CNN", 3), ("BBC News", 2))


def test_feed_titles_and_addresses_join_the_site_name() -> None:
    counts = [
        ("edition.cnn.com", 50),
        ("CNN.com - RSS Channel - World", 9),
        ("cnn.com", 7),
        ("CNN", 3),
    ]
    assert same_site_outlets(counts) == (("CNN", 69),)


def test_an_address_alone_shows_its_shortest_spelling() -> None:
    assert same_site_outlets([("edition.cnn.com", 5), ("cnn.com", 2)]) == (("cnn.com", 7),)


def test_different_outlets_stay_apart() -> None:
    counts = [
        ("The Times", 5),
        ("The Sunday Times", 4),
        ("Financial Times", 3),
        ("Sky News", 4),
        ("Fox News", 3),
        ("News", 2),
        ("site-59", 2),
        ("site-60", 1),
        ("Reuters", 10),
        ("Thomson", 1),
        ("Thomson Reuters", 2),  # two outlets' words: joined to neither
    ]
    assert sorted(same_site_outlets(counts)) == sorted(counts)


def test_nothing_to_join() -> None:
    assert same_site_outlets([]) == ()
    assert same_site_outlets([("Wikinews", 3)]) == (("Wikinews", 3),)
