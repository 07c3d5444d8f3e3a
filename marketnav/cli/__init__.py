"""Command-line tools (`python -m marketnav.cli.<name>`)."""
