"""`askblog feeds ...`, `askblog posts ...` and `askblog bench ingest`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.clitools import database, echo_json, progress
from bot.settings import Settings


def _entry_progress(url: str, done: int, total: int) -> None:
    # A live counter on a terminal; logs and pipes get the summary line only.
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        click.echo(f"\r{url}: {done}/{total} entries", err=True, nl=False)
        click.echo(end, err=True, nl=False)


def _check_feed_ref(ref: str) -> str:
    from urllib.parse import urlparse

    from feeds.fetch import is_local, local_path

    ref = ref.strip()
    if is_local(ref):
        path = local_path(ref)
        if not path.is_file():
            raise click.ClickException(f"{ref} is neither an http(s) URL nor an existing file.")
        return str(path.resolve())
    parsed = urlparse(ref)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise click.ClickException(f"{ref} is not an http(s) URL or a file path.")
    return ref


@click.group()
def feeds() -> None:
    """Add, list, remove and poll the blog's feeds."""


@feeds.command("add")
@click.argument("ref")
@click.option("--no-poll", is_flag=True, help="Only remember the feed; poll it later.")
@click.pass_obj
def feeds_add(settings: Settings, ref: str, no_poll: bool) -> None:
    """Add the feed at REF (an http(s) URL, a file path or a file:// URL) and poll it once."""
    from feeds import store
    from feeds.fetch import Fetcher
    from feeds.ingest import poll_feed

    url = _check_feed_ref(ref)
    with database(settings) as db:
        added = store.add_feed(db, url)
        click.echo(f"{'added' if added else 'already added'}: {url}")
        if no_poll:
            return
        with Fetcher() as fetcher:
            result = poll_feed(
                db, url, fetcher=fetcher, progress=lambda d, t: _entry_progress(url, d, t)
            )
    click.echo(result.summary())
    if result.status == "error":
        raise click.ClickException(
            f"{url} was added but could not be read ({result.error}); it is retried at each "
            f"poll, or remove it with `askblog feeds remove {url}`."
        )


@feeds.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def feeds_list(settings: Settings, as_json: bool) -> None:
    """List the feeds with the number of posts each brought."""
    from dataclasses import asdict

    from feeds import store

    with database(settings) as db:
        rows = store.list_feeds(db)
    if as_json:
        echo_json([asdict(f) for f in rows])
        return
    if not rows:
        click.echo("No feeds yet: add one with `askblog feeds add URL`.")
    for feed in rows:
        click.echo(f"{feed.url}\t{feed.posts} posts\t{feed.title or ''}".rstrip())


@feeds.command("remove")
@click.argument("url")
@click.pass_obj
def feeds_remove(settings: Settings, url: str) -> None:
    """Stop polling the feed at URL; the posts it brought stay."""
    from feeds import store

    with database(settings) as db:
        if not store.remove_feed(db, url) and not store.remove_feed(db, _check_feed_ref(url)):
            raise click.ClickException(f"{url} is not one of the feeds: see `askblog feeds list`.")
    click.echo(f"removed: {url} (its posts are kept)")


@feeds.command("poll")
@click.pass_obj
def feeds_poll(settings: Settings) -> None:
    """Poll every feed once (and add those in ASKBLOG_FEEDS first)."""
    from feeds import store
    from feeds.fetch import Fetcher
    from feeds.ingest import poll_all

    with database(settings) as db, Fetcher() as fetcher:
        for url in settings.feeds:
            store.add_feed(db, url)
        if not store.list_feeds(db):
            raise click.ClickException("No feeds to poll: add one with `askblog feeds add URL`.")
        results = poll_all(db, fetcher=fetcher, progress=_entry_progress)
    for result in results:
        click.echo(result.summary())
    failed = [r for r in results if r.status == "error"]
    if failed:
        raise click.ClickException(f"{len(failed)} of {len(results)} feeds could not be read.")


@feeds.command("make-demo")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def feeds_make_demo(dataset: Path, out: Path) -> None:
    """Write an Atom feed of the posts in a TryoCoQA file (CC BY 4.0, attributed) to OUT."""
    from feeds.demo import build_demo_feed

    out.write_text(build_demo_feed(dataset), encoding="utf-8")
    click.echo(out)


@click.group()
def posts() -> None:
    """List, show and search the stored posts."""


def _post_line(post) -> str:
    date = (post.published or post.updated or "")[:10] or "----------"
    return f"{post.id}\t{date}\t{post.title}\t{post.link}"


def _summary(post) -> dict:
    data = post.to_json()
    data["chars"] = len(data.pop("text"))
    return data


def _print_posts(rows, *, as_json: bool, empty: str) -> None:
    if as_json:
        echo_json([_summary(p) for p in rows])
        return
    if not rows:
        click.echo(empty)
    for post in rows:
        click.echo(_post_line(post))


@posts.command("list")
@click.option("--limit", default=50, show_default=True, help="Most posts to list, newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def posts_list(settings: Settings, limit: int, as_json: bool) -> None:
    """List stored posts, newest first."""
    from feeds import store

    with database(settings) as db:
        rows = store.list_posts(db, limit=limit)
    _print_posts(
        rows, as_json=as_json, empty="No posts yet: add a feed with `askblog feeds add URL`."
    )


@posts.command("show")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def posts_show(settings: Settings, ref: str, as_json: bool) -> None:
    """Show one post, by id, guid or link, with its full text."""
    from feeds import store

    with database(settings) as db:
        post = store.get_post(db, ref)
    if as_json:
        echo_json(post.to_json())
        return
    click.echo(f"# {post.title}\n{post.link}\n{post.published or ''} {post.author}".rstrip())
    if post.tags:
        click.echo("tags: " + ", ".join(post.tags))
    click.echo(f"\n{post.text}")


@posts.command("search")
@click.argument("query")
@click.option("--limit", default=10, show_default=True, help="Most results.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def posts_search(settings: Settings, query: str, limit: int, as_json: bool) -> None:
    """Search posts by title and text, best match first (BM25)."""
    from feeds import store

    with database(settings) as db:
        rows = store.search_posts(db, query, limit=limit)
    _print_posts(rows, as_json=as_json, empty="No post matches.")


@click.command("ingest")
@click.option("--entries", default=1000, show_default=True, help="Entries in the generated feed.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def bench_ingest(entries: int, as_json: bool) -> None:
    """Time ingesting a generated full-content feed and re-polling it unchanged."""
    from feeds.bench import measure, table

    rows = measure(entries, progress=progress)
    if as_json:
        echo_json(rows)
    else:
        click.echo(table(rows))
