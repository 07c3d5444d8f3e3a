"""crunchbase_api: the Crunchbase market-data service (port 8003)."""
