"""The feed watcher: fetch, parse, extract full text, store and search posts."""
