"""`python -m scraper_services.tracxn`: serve tracxn_api on 127.0.0.1:8008."""

from scraper_services.common.service_cli import serve
from scraper_services.tracxn.app import DEFAULT_PORT, SERVICE, create_app

if __name__ == "__main__":
    serve(SERVICE, DEFAULT_PORT, create_app)
