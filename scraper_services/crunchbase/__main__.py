"""`python -m scraper_services.crunchbase`: serve crunchbase_api on 127.0.0.1:8003."""

from scraper_services.common.service_cli import serve
from scraper_services.crunchbase.app import DEFAULT_PORT, SERVICE, create_app

if __name__ == "__main__":
    serve(SERVICE, DEFAULT_PORT, create_app)
