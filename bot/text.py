"""Reply text helpers shared by the platform adapters."""

from __future__ import annotations


def split_message(text: str, limit: int) -> list[str]:
    """Split TEXT into chunks of at most LIMIT characters, at paragraph, line, sentence or word."""
    if limit < 10:
        raise ValueError("limit too small")
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for separator in ("\n\n", "\n", ". ", " "):
            cut = window.rfind(separator)
            if cut > limit // 2:
                cut += len(separator)
                break
        if cut <= limit // 2:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks
