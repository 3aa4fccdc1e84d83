"""The web page end to end: the real server (`filmoteca serve`) and Debian's headless chromium.

Set FILMOTECA_CAPTURAS=DIR to keep the screenshots (search, card, person, charts, likes) and
`tiempos.json` (first render of a movie card, in ms) there.
"""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from filmoteca.etl.pipeline import build_catalog
from servers import CHROMIUM, serve

FIRST_RENDER_MS = 300

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason="no /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`filmoteca serve` on a free loopback port over the demo catalog (with the recommender)."""
    work = tmp_path_factory.mktemp("web")
    build_catalog(None, work / "catalogo")
    yield from serve(work / "catalogo", work)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (own storage) that fails the test on any console error."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="es-ES")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(10_000)
    page.errors = errors
    yield page
    context.close()


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: FILMOTECA_CAPTURAS if set (to look at them), else tmp."""
    path = Path(os.environ.get("FILMOTECA_CAPTURAS") or tmp_path_factory.mktemp("capturas"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _hash(page: Any) -> str:
    return str(page.evaluate("location.hash"))


def test_search_pick_suggestion_see_card_and_follow_a_recommendation(
    page: Any, base_url: str, screens: Path
) -> None:
    expect = pytest.importorskip("playwright.sync_api").expect
    page.goto(f"{base_url}/app")
    box = page.locator("#busqueda")
    box.press_sequentially("comet str", delay=40)
    options = page.locator("#sugerencias [role=option]")
    expect(options).to_have_count(3)  # retried: earlier keystrokes may show other lists first
    expect(options.first).to_contain_text("Comet Street")
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "sugerencia-1"
    assert options.nth(1).get_attribute("aria-selected") == "true"
    box.press("ArrowUp")
    page.screenshot(path=str(screens / "app_busqueda.png"))
    box.press("Enter")

    page.locator(".ficha h1").wait_for()
    assert _hash(page) == "#/pelicula/900001"
    assert page.locator(".ficha h1").inner_text() == "Comet Street (2005)"
    assert box.get_attribute("aria-expanded") == "false"
    recommendations = page.locator(".recomendacion")
    recommendations.nth(4).wait_for()
    assert recommendations.count() == 5
    assert page.locator(".recomendacion .motivos li").count() >= 5
    assert "900001" not in page.locator(".recomendacion a").evaluate_all(
        "links => links.map(a => a.hash).join(' ')"
    )
    page.screenshot(path=str(screens / "app_pelicula.png"), full_page=True)

    target = recommendations.nth(1).locator("a.recomendacion-enlace")
    wanted_hash, wanted_title = target.evaluate("a => a.hash"), target.inner_text()
    target.click()
    page.wait_for_function("h => location.hash === h", arg=wanted_hash)
    page.locator(".ficha h1", has_text=wanted_title.split(" (")[0]).wait_for()
    assert page.locator(".ficha h1").inner_text() == wanted_title
    page.locator(".recomendacion").first.wait_for()
    assert page.errors == []


def test_card_shows_the_2000_vote_rule_and_links_people(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/app#/pelicula/900008")  # The Glass Orchard (1987): 311 votes
    page.locator(".ficha h1").wait_for()
    rule = page.locator(".cifra-regla")
    assert "311" in rule.inner_text()  # the count is shown, the average withheld, and why
    assert "Con menos de 2.000 votos" in rule.inner_text() and "no se muestra" in rule.inner_text()
    assert "Promedio" not in page.locator(".cifras").first.inner_text()
    page.goto(f"{base_url}/app#/pelicula/900009")  # its namesake of 2016: 2150 votes
    page.locator(".ficha h1", has_text="2016").wait_for()
    assert page.locator(".cifra-regla").count() == 0
    assert "2150" in page.locator(".cifras").first.inner_text().replace(".", "")
    assert page.locator(".poster[data-sin-poster]").count() == 1
    assert page.errors == []


def test_director_page_from_the_card(page: Any, base_url: str, screens: Path) -> None:
    page.goto(f"{base_url}/app#/pelicula/900001")
    page.locator(".ficha-direccion a", has_text="Lucía Ferrándiz").click()
    page.locator(".persona-cabecera h1").wait_for()
    assert page.locator(".persona-cabecera h1").inner_text() == "Lucía Ferrándiz"
    section = page.locator("section[aria-labelledby=titulo-director]")
    figures = section.locator(".cifra")
    assert figures.nth(0).locator("dd").inner_text().split("\n")[0] == "4"
    assert "4 con presupuesto conocido" in figures.nth(0).inner_text()
    assert figures.nth(1).locator("dt").text_content() == "Retorno medio (con presupuesto)"
    assert figures.nth(2).locator("dt").text_content() == "Retorno según la API"
    assert figures.nth(1).locator("dd").inner_text().startswith("2,08")
    assert figures.nth(2).locator("dd").inner_text().startswith("2,08")  # all 4 have a budget
    rows = section.locator("tbody tr")
    assert rows.count() == 4
    dates = rows.locator("td.fecha time").evaluate_all("ts => ts.map(t => t.dateTime)")
    assert len(dates) == 4 and all(len(d) == 10 for d in dates)  # shown as «2 dic 2026»
    assert dates == sorted(dates)
    assert page.locator("section[aria-labelledby=titulo-actor]").count() == 0
    page.screenshot(path=str(screens / "app_persona.png"), full_page=True)
    rows.first.locator("a").click()
    page.locator(".ficha h1").wait_for()
    assert page.errors == []


def test_actor_page_has_mission_figures(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/app#/persona/marcus%20whitlow")
    section = page.locator("section[aria-labelledby=titulo-actor]")
    section.wait_for()
    values = section.locator(".cifra dd").all_inner_texts()
    # 6 films, 5 with a budget: the API's rule divides by 6 (2,75), the mean with a budget by 5
    assert values[0].split("\n")[0] == "6" and "5 con presupuesto" in values[0]
    assert values[1].startswith("3,30") and values[2].startswith("2,75")
    assert section.locator("tbody tr").count() == 6
    assert page.errors == []


def test_unknown_person_offers_suggestions(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/app#/persona/Lucia%20Ferrandis")
    page.locator("[role=alert]").wait_for()
    assert "Lucía Ferrándiz" in page.locator("[role=alert] a").all_inner_texts()
    page.locator("[role=alert] a", has_text="Lucía Ferrándiz").click()
    page.locator(".persona-cabecera h1", has_text="Lucía Ferrándiz").wait_for()


def test_charts_draw_the_api_counts(page: Any, base_url: str, screens: Path) -> None:
    page.goto(f"{base_url}/app")
    page.locator(".grafico-svg").nth(1).wait_for()
    titles = page.locator(".grafico-svg title").all_text_contents()
    assert len(titles) == 12 + 7
    assert "mayo: 4 películas" in titles and "viernes: 10 películas" in titles
    assert "miércoles: 8 películas" in titles
    assert "40 películas" in page.locator(".introduccion").inner_text()
    page.screenshot(path=str(screens / "app_graficos.png"), full_page=True)
    assert page.errors == []


def test_liked_movies_get_personalised_recommendations(
    page: Any, base_url: str, screens: Path
) -> None:
    for movie_id in (900001, 900037):
        page.goto(f"{base_url}/app#/pelicula/{movie_id}")
        button = page.locator(".boton-gusto")
        button.click()
        assert button.get_attribute("aria-pressed") == "true"
    assert page.locator("#contador-gustos").inner_text() == "2"
    page.locator("#enlace-gustos").click()
    page.locator(".gustos li").nth(1).wait_for()
    page.locator("section[aria-labelledby=titulo-personal] .recomendacion").first.wait_for()
    links = page.locator(".recomendacion a").evaluate_all("links => links.map(a => a.hash)")
    assert links and not {"#/pelicula/900001", "#/pelicula/900037"} & set(links)
    page.screenshot(path=str(screens / "app_gustos.png"), full_page=True)
    page.locator(".boton-quitar").first.click()
    page.locator(".gustos li").nth(1).wait_for(state="detached")
    assert page.locator("#contador-gustos").inner_text() == "1"
    assert page.errors == []


def test_first_render_of_a_movie_card(page: Any, base_url: str, screens: Path) -> None:
    cold, warm = [], []
    for _ in range(5):
        page.goto("about:blank")
        page.goto(f"{base_url}/app#/pelicula/900002")
        page.locator(".ficha h1").wait_for()
        cold.append(page.evaluate("performance.getEntriesByName('filmoteca:ficha')[0].startTime"))
    for movie_id in (900003, 900004, 900005, 900006, 900007):
        page.evaluate(f"location.hash = '#/pelicula/{movie_id}'")
        page.wait_for_function(
            "n => window.filmoteca.metrics.renders.filter(r => r.pagina === 'ficha').length >= n",
            arg=len(warm) + 1,
        )
        renders = page.evaluate("window.filmoteca.metrics.renders")
        warm.append([r["ms"] for r in renders if r["pagina"] == "ficha"][-1])
    figures = {
        "carga_completa_ms": {"mediana": statistics.median(cold), "max": max(cold)},
        "navegacion_ms": {"mediana": statistics.median(warm), "max": max(warm)},
    }
    (screens / "tiempos.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"\nprimer render de una ficha: {figures}")
    # The machine is shared: the best cold load (and the median in-page navigation) must meet
    # the target; the medians are reported (bench/bench_web.py measures more movies).
    assert min(cold) <= FIRST_RENDER_MS
    assert statistics.median(warm) <= FIRST_RENDER_MS


def test_page_fits_a_phone_screen(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    for route in ("#/pelicula/900001", "#/persona/Lucía Ferrándiz", "#/"):
        page.goto(f"{base_url}/app{route}")
        page.locator("main h1").wait_for()
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, route
    context.close()
