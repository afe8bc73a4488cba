"""Write an Atom feed of the five blog posts in TryoCoQA, for offline demos.

TryoCoQA (Tryolabs) is licensed CC BY 4.0; the feed carries that attribution
in its <rights> and in every entry.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

from feeds.extract import normalise

ATOM = "http://www.w3.org/2005/Atom"
DATASET_URL = "https://github.com/tryolabs/TryoCoQA"
ATTRIBUTION = (
    "Post texts from TryoCoQA by Tryolabs (" + DATASET_URL + "), licensed under "
    "Creative Commons Attribution 4.0 International (CC BY 4.0, "
    "https://creativecommons.org/licenses/by/4.0/)."
)


def stories(dataset: Path) -> list[tuple[str, str]]:
    """Return (context id, story) for each distinct post in a TryoCoQA file, in file order."""
    data = json.loads(Path(dataset).read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for conversation in data:
        seen.setdefault(str(conversation["context_id"]), conversation["story"])
    return list(seen.items())


def _paragraphs_html(text: str) -> str:
    from html import escape

    return "\n".join(f"<p>{escape(p)}</p>" for p in normalise(text).split("\n") if p.strip())


def build_demo_feed(dataset: Path, *, generated: datetime | None = None) -> str:
    """Return the Atom document; entries are dated by GENERATED, in dataset order."""
    generated = (generated or datetime.now(UTC)).replace(microsecond=0)
    ET.register_namespace("", ATOM)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", "urn:askblog:demo:tryocoqa")
    sub(feed, "title", "askblog demo: five posts from TryoCoQA")
    sub(feed, "updated", generated.isoformat())
    sub(feed, "link", href=DATASET_URL, rel="via")
    sub(feed, "rights", ATTRIBUTION)
    author = sub(feed, "author")
    sub(author, "name", "Tryolabs")
    posts = stories(dataset)
    for index, (context_id, story) in enumerate(posts):
        title, _, body = story.strip().partition("\n")
        stamp = (generated - timedelta(days=len(posts) - 1 - index)).isoformat()
        entry = sub(feed, "entry")
        sub(entry, "id", f"urn:askblog:demo:tryocoqa:post:{context_id}")
        sub(entry, "title", title.strip())
        # Distinct links per post (fragments are dropped as non-canonical).
        sub(entry, "link", href=f"{DATASET_URL}?post={context_id}")
        sub(entry, "published", stamp)
        sub(entry, "updated", stamp)
        sub(entry, "rights", ATTRIBUTION)
        first = next((p for p in normalise(body).split("\n") if p.strip()), "")
        sub(entry, "summary", first[:300])
        sub(entry, "content", _paragraphs_html(body), type="html")
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
