"""Reflex configuration, taken from marketnav.settings."""

import reflex as rx
from reflex_base.plugins.sitemap import SitemapPlugin

from marketnav.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="marketnav",
    frontend_port=_settings.frontend_port,
    backend_port=_settings.frontend_port,  # prod serves both on one port
    # With Redis the state lives there, shared by several backend workers, in its own database
    # (Reflex 0.10 cannot prefix its keys; see Settings.reflex_redis_url).
    redis_url=_settings.reflex_redis_url or None,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    disable_plugins=[SitemapPlugin],
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="inherit", accent_color="indigo", radius="medium")
        )
    ],
)
