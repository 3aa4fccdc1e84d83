"""/docs (Swagger UI) and /redoc (ReDoc) served from files shipped in a package: no CDN.

FastAPI's own pages load Swagger UI, ReDoc, their fonts and a favicon from other sites, so
they are blank without a network. These pages use the copies that the `fastapi-offline`
package ships (Swagger UI's bundle and CSS, ReDoc's standalone script, the favicon), served
under /docs-static; they are in Spanish (`lang="es"`), with a main landmark and a heading, and a
Content-Security-Policy that lets the browser load nothing from another origin.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse

STATIC = "/docs-static"
SWAGGER_PARAMETERS = {
    "dom_id": "#swagger-ui",
    "layout": "BaseLayout",
    "deepLinking": False,  # its links inside the operation buttons are nested controls (axe)
    "showExtensions": True,
    "showCommonExtensions": True,
    "validatorUrl": None,  # no badge fetched from the validator's site
}

# Nothing from another origin, whatever the scripts try (ReDoc's sidebar links a logo on a
# CDN: the browser does not request it, and the image hides itself).
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; connect-src 'self'; "
    "font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
# What axe finds in the two third-party pages, mended from outside: text contrast, heading
# levels that skip one, an unnamed select (ReDoc's example picker).
A11Y_STYLE = """<style>
.swagger-ui .info .title small, .swagger-ui .info .title small pre {{ background: #4a5560; }}
.swagger-ui .info .title small.version-stamp {{ background: #2f6b1a; }}
.swagger-ui .info .title small pre {{ color: #fff; }}
.swagger-ui .info .url, .swagger-ui .info a {{ color: #1f4f99; }}
.swagger-ui .opblock-get .opblock-summary-method {{ background: #1f5f99 !important; }}
.swagger-ui .opblock-post .opblock-summary-method {{ background: #1e6b44 !important; }}
.swagger-ui .json-schema-2020-12-expand-deep-button {{ color: #505760 !important; }}
redoc code {{ color: #a1281b !important; }}
redoc h5 {{ color: #50575b !important; }}
redoc .tab-error {{ color: #ff8a80 !important; }}
redoc .tab-error.react-tabs__tab--selected {{ color: #a1281b !important; }}
redoc .token.punctuation {{ color: #c0c5c8 !important; }}
</style>"""
A11Y_SCRIPT = """<script>
(function () {{
  function mend() {{
    document.querySelectorAll('h3.opblock-tag').forEach(function (h) {{
      h.setAttribute('role', 'heading'); h.setAttribute('aria-level', '2');
    }});
    document.querySelectorAll('.swagger-ui h4').forEach(function (h) {{
      h.setAttribute('role', 'heading'); h.setAttribute('aria-level', '3');
    }});
    document.querySelectorAll('redoc strong, redoc p, redoc div').forEach(function (e) {{
      if (getComputedStyle(e).color === 'rgb(255, 165, 0)') e.style.color = '#7a4a00';
    }});
    document.querySelectorAll('redoc h5').forEach(function (h) {{
      h.setAttribute('role', 'heading'); h.setAttribute('aria-level', '3');
    }});
    document.querySelectorAll('select:not([aria-label])').forEach(function (s) {{
      s.setAttribute('aria-label', 'Elegir un ejemplo');
    }});
  }}
  new MutationObserver(mend).observe(document.body, {{childList: true, subtree: true}});
}})();
</script>"""
_HIDDEN = (
    "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap"
)

SWAGGER = """<!DOCTYPE html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · documentación interactiva</title>
<link rel="stylesheet" href="{static}/swagger-ui.css">
<link rel="icon" href="{static}/favicon.png">
{a11y_style}
</head>
<body>
<main>
<h1 style="{hidden}">{title}: documentación interactiva de la API</h1>
<div id="swagger-ui"></div>
</main>
{a11y_script}
<script src="{static}/swagger-ui-bundle.js"></script>
<script>
SwaggerUIBundle(Object.assign({parameters}, {{
  url: {openapi},
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
}}));
</script>
</body>
</html>
"""

REDOC = """<!DOCTYPE html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · referencia de la API</title>
<link rel="icon" href="{static}/favicon.png">
<style>body {{ margin: 0; padding: 0; }}</style>
{a11y_style}
</head>
<body>
<main>
<h1 style="{hidden}">{title}: referencia de la API</h1>
<noscript>Esta página necesita JavaScript. La especificación está en <a href={openapi}>{path}</a>.</noscript>
<redoc spec-url={openapi}></redoc>
</main>
{a11y_script}
<script src="{static}/redoc.standalone.js"></script>
</body>
</html>
"""


def static_dir() -> Path:
    """The folder of the docs' scripts and styles inside the installed fastapi-offline."""
    return Path(str(files("fastapi_offline") / "static"))


def install(app: FastAPI) -> None:
    """Add /docs, /redoc and their static files to an app built with docs_url=redoc_url=None.

    The endpoints are module-level functions reading `request.app`: FastAPI caches endpoints
    process-wide, so closures over `app` kept every app built (each reload's scratch app, with
    its catalog and memory maps) alive for ever.
    """
    app.mount(STATIC, StaticFiles(directory=static_dir()), name="docs-static")
    app.add_api_route("/docs", swagger, methods=["GET"], include_in_schema=False)
    app.add_api_route("/redoc", redoc, methods=["GET"], include_in_schema=False)


def _render(template: str, request: Request) -> HTMLResponse:
    app = request.app
    root = request.scope.get("root_path", "")
    openapi = f"{root}{app.openapi_url}"
    html = template.format(
        title=app.title,
        static=f"{root}{STATIC}",
        hidden=_HIDDEN,
        parameters=json.dumps(SWAGGER_PARAMETERS),
        openapi=json.dumps(openapi),
        path=openapi,
        a11y_style=A11Y_STYLE.format(),
        a11y_script=A11Y_SCRIPT.format(),
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP})


async def swagger(request: Request) -> HTMLResponse:
    """Swagger UI over the app's OpenAPI document."""
    return _render(SWAGGER, request)


async def redoc(request: Request) -> HTMLResponse:
    """ReDoc over the app's OpenAPI document."""
    return _render(REDOC, request)
