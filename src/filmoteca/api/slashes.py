"""Trailing-slash redirects that never name a host.

Starlette answers `/docs/` with a 307 to `http://<Host header>/docs`: the Location copies
whatever Host the client sent, which a shared cache in front of the API could store and hand
to others (host-header poisoning). `install` turns Starlette's redirect off and makes the
same one itself, with a relative Location (RFC 9110 §10.2.2 allows it): the path with or
without its trailing slash, and the query string as it came.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.applications import Starlette
from starlette.responses import RedirectResponse
from starlette.routing import Match
from starlette.types import Receive, Scope, Send


def install(app: Starlette) -> None:
    """Redirect `/x/` to `/x` (and `/x` to `/x/`) when only the other one is a route."""
    router = app.router
    router.redirect_slashes = False
    not_found = router.default

    async def default(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        # Never "//host/...": a relative Location of that shape names another site.
        if scope["type"] == "http" and path != "/" and not path.startswith("//"):
            other = dict(scope)
            other["path"] = path.rstrip("/") if path.endswith("/") else path + "/"
            if other["path"].startswith("/") and any(
                route.matches(other)[0] is not Match.NONE for route in router.routes
            ):
                location = quote(other["path"], safe="/:@!$&'()*+,;=~-._")
                if query := scope.get("query_string", b""):
                    location += "?" + query.decode("latin-1")
                await RedirectResponse(location, status_code=307)(scope, receive, send)
                return
        await not_found(scope, receive, send)

    router.default = default
