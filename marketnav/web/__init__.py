"""HTTP pieces of the Reflex backend: the session-cookie routes and the security headers."""
