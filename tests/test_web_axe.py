"""axe-core on every page of the site, at a desktop (1366x768) and a phone (390x844) size.

Any violation fails. axe-core is the npm package installed by .ci/run into .tools/
(`npm install --prefix .tools axe-core@4`); without it the tests skip, saying so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from filmoteca.etl.pipeline import build_catalog
from filmoteca.report import build_report
from servers import CHROMIUM, serve

AXE = Path(__file__).resolve().parents[1] / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
SIZES = {"escritorio": (1366, 768), "movil": (390, 844)}
LIKES = json.dumps([{"id": 900001, "titulo": "El faro de Lucía", "anio": 2004}])
PAGES = {
    "inicio": ("/app#/", ".lista-peliculas li"),
    "busqueda": ("/app#/", "#sugerencias li"),
    "ficha": ("/app#/pelicula/900001", ".recomendacion, .recomendaciones .vacio"),
    "persona": ("/app#/persona/Luc%C3%ADa%20Ferr%C3%A1ndiz", ".tabla-fluida"),
    "me-gustaron": ("/app#/me-gustaron", ".recomendacion, .recomendaciones .vacio"),
    "no-encontrada": ("/app#/pelicula/1", ".lista-sugerida a"),
    "descubrir": ("/app#/descubrir?orden=votos", ".lista-peliculas li"),
    "reporte": ("/reporte", "figure"),
    "docs": ("/docs", ".swagger-ui .opblock"),
    "redoc": ("/redoc", "redoc h2"),
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason="no /usr/bin/chromium"),
    pytest.mark.skipif(not AXE.is_file(), reason="axe-core no instalado en .tools/"),
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo catalog served with its report, as a user would run it."""
    work = tmp_path_factory.mktemp("axe")
    build_catalog(None, work / "catalogo")
    build_report(work / "catalogo", work / "informe")
    yield from serve(work / "catalogo", work)


def _violations(browser: Any, url: str, ready: str, size: tuple[int, int], name: str) -> Any:
    """axe's violations on one page once `ready` is shown."""
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, locale="es-ES", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        if name == "me-gustaron":
            page.goto(url.split("#")[0])
            page.evaluate(f"localStorage.setItem('filmoteca.megustaron', {json.dumps(LIKES)})")
        page.goto(url)
        if name == "busqueda":
            page.locator("#busqueda").fill("el")
        page.locator(ready).first.wait_for()
        page.wait_for_timeout(300)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_axe_violations(browser: Any, base_url: str, name: str, size: str) -> None:
    path, ready = PAGES[name]
    assert _violations(browser, base_url + path, ready, SIZES[size], name) == []
