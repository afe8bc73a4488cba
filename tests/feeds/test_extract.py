from __future__ import annotations

from feeds.extract import extract_article, html_to_text, normalise
from tests.feeds.conftest import ARTICLE_PAGE, long_text


def test_html_to_text_keeps_paragraphs_and_drops_scripts_and_styles():
    html = (
        "<style>p{}</style><p>First   paragraph<br>with a break.</p><script>alert(1)</script>"
        "<ul><li>one</li><li>two</li></ul><p>Last &amp; final.</p><nav>menu</nav>"
    )
    assert html_to_text(html) == "First paragraph\nwith a break.\n\none\ntwo\n\nLast & final."


def test_plain_text_passes_through_normalised():
    assert html_to_text("  a  b \n\n\n\n c ") == "a b\n\nc"
    assert normalise("x\u00a0\u00a0y\t\tz") == "x y z"


def test_article_extraction_finds_the_main_text():
    page = ARTICLE_PAGE.format(
        title="T", body1=long_text("extraction", 1), body2="Second.", body3="Third."
    )
    text = extract_article(page, url="http://blog.test/t")
    assert text is not None
    assert "about extraction" in text and "Second." in text
    assert "NAVIGATION-LINK" not in text and "SCRIPT-TEXT" not in text and "FOOTER-TEXT" not in text


def test_page_without_an_article_gives_none():
    assert extract_article("<html><body></body></html>") is None
