"""tracxn_api: the Tracxn market-data service (port 8008)."""
