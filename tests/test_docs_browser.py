"""/docs, /redoc and /app in Debian's chromium with every non-loopback request blocked.

The pages must render from the server alone: a request to any other origin is aborted and
recorded, and the test fails if there was one (or if the page did not render).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from filmoteca.etl.pipeline import build_catalog
from servers import CHROMIUM, serve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason="no /usr/bin/chromium"),
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("docs")
    build_catalog(None, work / "catalogo")
    yield from serve(work / "catalogo", work)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """This module's own chromium, closed at its end: the session's one (conftest) keeps an
    event loop running on this thread, which later tests that call asyncio.run cannot share."""
    from servers import CHROMIUM_ARGS

    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def offline(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A page whose requests to anything but loopback are aborted (and listed)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="es-ES")
    blocked: list[str] = []

    def route(route: Any) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page, blocked
    context.close()


def test_docs_shows_every_operation_offline(offline: tuple[Any, list[str]], base_url: str) -> None:
    page, blocked = offline
    expect = pytest.importorskip("playwright.sync_api").expect
    schema = httpx.get(f"{base_url}/openapi.json").json()
    operations = sum(len(methods) for methods in schema["paths"].values())
    page.goto(f"{base_url}/docs")
    blocks = page.locator(".opblock")
    expect(blocks.first).to_be_visible(timeout=30_000)
    expect(blocks).to_have_count(operations, timeout=30_000)
    expect(page.locator(".opblock-summary-path", has_text="/score_titulo/")).to_be_visible(
        timeout=30_000
    )
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("main").count() == 1 and page.locator("h1").count() >= 1
    assert blocked == []


def test_redoc_renders_offline(offline: tuple[Any, list[str]], base_url: str) -> None:
    page, blocked = offline
    expect = pytest.importorskip("playwright.sync_api").expect
    page.goto(f"{base_url}/redoc")
    expect(page.locator("h2", has_text="Información del servicio").first).to_be_attached(
        timeout=30_000
    )
    assert page.locator("html").get_attribute("lang") == "es"
    assert blocked == []


def test_app_renders_offline(offline: tuple[Any, list[str]], base_url: str) -> None:
    page, blocked = offline
    expect = pytest.importorskip("playwright.sync_api").expect
    page.goto(f"{base_url}/app")
    expect(page.locator("#busqueda")).to_be_visible(timeout=30_000)
    page.goto(f"{base_url}/app#/pelicula/900001")
    expect(page.get_by_text("Comet Street").first).to_be_visible(timeout=30_000)
    assert blocked == []


def test_the_docs_files_are_served_from_the_package(base_url: str, tmp_path: Path) -> None:
    html = httpx.get(f"{base_url}/docs").text
    assert "cdn" not in html.lower() and "https://" not in html
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        response = httpx.get(f"{base_url}/docs-static/{name}")
        assert response.status_code == 200 and len(response.content) > 100_000
