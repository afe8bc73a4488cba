"""Plain, readable text from HTML: feed content fragments and whole article pages."""

from __future__ import annotations

import re

import lxml.html

# Elements whose text is never part of an article.
_DROP = ("script", "style", "noscript", "nav", "iframe", "form", "svg", "template", "button")
# Elements that start a new line of text.
_BLOCKS = frozenset(
    """p div section article header footer aside main h1 h2 h3 h4 h5 h6 ul ol li dl dt dd
    pre blockquote table thead tbody tfoot tr figure figcaption br hr address details
    summary""".split()
)
_PARAGRAPHS = frozenset("p h1 h2 h3 h4 h5 h6 pre blockquote ul ol dl table figure".split())
_LINE, _PARAGRAPH = 1, 2
_SPACES = re.compile(r"[ \t\u00a0\u200b\r\f\v]+")


def normalise(text: str) -> str:
    """Collapse runs of spaces, trim lines, and keep at most one blank line between paragraphs."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def html_to_text(html: str) -> str:
    """Convert an HTML fragment (a feed entry's content) to plain text, paragraphs kept."""
    if not html or not html.strip():
        return ""
    if "<" not in html:
        return normalise(html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return normalise(re.sub(r"<[^>]+>", " ", html))
    for element in root.iter(*_DROP):
        element.drop_tree()
    # Text and break marks; a run of marks becomes its strongest one, so that
    # nested or adjacent blocks never stack up blank lines.
    parts: list[str | int] = []

    def walk(element) -> None:
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        mark = (_PARAGRAPH if tag in _PARAGRAPHS else _LINE) if tag in _BLOCKS else 0
        if mark:
            parts.append(mark)
        if element.text and tag:
            parts.append(element.text)
        for child in element:
            walk(child)
        if mark:
            parts.append(mark)
        if element.tail:
            parts.append(element.tail)

    walk(root)
    text, pending = [], 0
    for part in parts:
        if isinstance(part, int):
            pending = max(pending, part)
            continue
        if pending and text:
            text.append("\n" * pending)
        pending = 0
        text.append(part)
    return normalise("".join(text))


def extract_article(html: str, *, url: str | None = None) -> str | None:
    """Extract the main text of an article page with trafilatura; None if it finds none."""
    import trafilatura

    text = trafilatura.extract(
        html,
        url=url,
        include_comments=False,
        include_tables=True,
        include_links=False,
        include_images=False,
        favor_recall=True,
        deduplicate=False,
    )
    if not text:
        return None
    return normalise(text)
