"""Fetch feeds and pages: conditional GET, timeouts, a size cap, redirects; local files too."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

USER_AGENT = "askblog/0.1 (feed watcher)"
DEFAULT_TIMEOUT = 20.0
MAX_FEED_BYTES = 20 * 1024 * 1024
MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
_FILE_TYPES = {
    ".atom": "application/atom+xml",
    ".rss": "application/rss+xml",
    ".xml": "application/xml",
    ".html": "text/html",
    ".htm": "text/html",
}


class FetchError(Exception):
    """A fetch that failed; the message fits in one log line."""


@dataclass(frozen=True)
class Fetched:
    """The outcome of one fetch: 200 with a body, or 304 with none."""

    url: str
    status: int
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def is_local(ref: str) -> bool:
    """Say whether a feed reference is a file path or file:// URL rather than http(s)."""
    scheme = urlparse(ref).scheme.lower()
    return scheme == "file" or scheme == "" or (len(scheme) == 1 and Path(ref).exists())


def local_path(ref: str) -> Path:
    parsed = urlparse(ref)
    if parsed.scheme.lower() == "file":
        return Path(unquote(parsed.path))
    return Path(ref).expanduser()


class Fetcher:
    """Fetch over HTTP(S) with httpx, or read local files, within time and size limits."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.client = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            headers={"User-Agent": USER_AGENT},
            transport=transport,
        )
        self.timeout = timeout

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        ref: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int = MAX_FEED_BYTES,
        accept: str = "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.8",
    ) -> Fetched:
        """Fetch REF, sending the validators of the last fetch; a 304 comes back without a body."""
        if is_local(ref):
            return self._read_file(ref, last_modified=last_modified, max_bytes=max_bytes)
        scheme = urlparse(ref).scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError(f"unsupported URL scheme '{scheme}' (use http, https or a file path)")
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            with self.client.stream("GET", ref, headers=headers) as response:
                final = str(response.url)
                if response.status_code == 304:
                    return Fetched(url=final, status=304, etag=etag, last_modified=last_modified)
                if response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}")
                body = self._read_capped(response, max_bytes)
                return Fetched(
                    url=final,
                    status=response.status_code,
                    body=body,
                    content_type=response.headers.get("content-type"),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {self.timeout:g} s") from None
        except httpx.TooManyRedirects:
            raise FetchError(f"more than {MAX_REDIRECTS} redirects") from None
        except httpx.UnsupportedProtocol as error:
            raise FetchError(f"redirected to an unsupported URL ({error})") from None
        except httpx.HTTPError as error:
            raise FetchError(f"{type(error).__name__}: {error}") from None

    @staticmethod
    def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(f"larger than the {max_bytes // 1024} KiB limit ({declared} bytes)")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"larger than the {max_bytes // 1024} KiB limit")
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _read_file(ref: str, *, last_modified: str | None, max_bytes: int) -> Fetched:
        path = local_path(ref)
        try:
            stat = path.stat()
            if not path.is_file():
                raise FetchError(f"{path} is not a file")
            stamp = formatdate(stat.st_mtime, usegmt=True)
            if last_modified == stamp:
                return Fetched(url=ref, status=304, last_modified=stamp)
            if stat.st_size > max_bytes:
                raise FetchError(f"larger than the {max_bytes // 1024} KiB limit")
            return Fetched(
                url=ref,
                status=200,
                body=path.read_bytes(),
                content_type=_FILE_TYPES.get(path.suffix.lower(), "application/xml"),
                last_modified=stamp,
            )
        except OSError as error:
            raise FetchError(f"cannot read {path}: {error.strerror or error}") from None
