"""Competitors found on the open web: search, fetch, extract, resolve."""
