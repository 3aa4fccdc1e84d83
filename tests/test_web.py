"""The web page at /app (in-process): the page and its assets, `/pelicula/{id}`, `/persona/{nombre}`.

Figures are the demo catalog's, documented in tests/fixtures/README.md ("Datos útiles de la demo").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from factories import make_catalog, movie
from filmoteca.api.app import create_app
from filmoteca.catalog import Catalog
from filmoteca.config import Settings
from filmoteca.etl.pipeline import build_catalog

WEB = Path(__file__).resolve().parents[1] / "src" / "filmoteca" / "web"


@pytest.fixture(scope="module")
def demo_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped demo catalog (40 invented movies), without the recommender."""
    out = tmp_path_factory.mktemp("web") / "catalogo"
    build_catalog(None, out, fit_recommender=False)
    return out


@pytest.fixture(scope="module")
def client(demo_catalog: Path) -> Iterator[TestClient]:
    app = create_app(Settings(catalog_dir=demo_catalog))
    with TestClient(app) as test_client:
        yield test_client


# ---------------------------------------------------------------- the page and its assets


def test_page_is_spanish_html_with_a_content_security_policy(client: TestClient) -> None:
    response = client.get("/app")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="es">' in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("app.js", "text/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
        ("icono.svg", "image/svg+xml"),
    ],
)
def test_assets_are_served_with_their_content_type(
    client: TestClient, name: str, media_type: str
) -> None:
    response = client.get(f"/app/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == (WEB / name).read_bytes()


def test_asset_already_held_by_the_browser_is_answered_304(client: TestClient) -> None:
    first = client.get("/app/app.js")
    again = client.get("/app/app.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_head_request_for_the_page_is_allowed(client: TestClient) -> None:
    assert client.head("/app").status_code == 200


def test_unknown_asset_is_a_spanish_404(client: TestClient) -> None:
    response = client.get("/app/secreto.py")
    assert response.status_code == 404
    assert response.json()["mensaje"].startswith("La página web no tiene")


def test_page_loads_nothing_from_other_origins() -> None:
    html = (WEB / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert links and all(link.startswith(("/", "#")) for link in links)
    for name in ("app.js", "app.css"):
        text = (WEB / name).read_text(encoding="utf-8")
        urls = set(re.findall(r"https?://[^\s\"'`)]+", text))
        assert urls <= {"http://www.w3.org/2000/svg"}, name  # the SVG namespace, not a fetch
        assert "@import" not in text and "url(http" not in text


def test_every_asset_the_page_names_is_served(client: TestClient) -> None:
    html = client.get("/app").text
    for path in re.findall(r'(?:src|href)="(/app/[^"]+)"', html):
        assert client.get(path).status_code == 200, path


# ---------------------------------------------------------------- GET /pelicula/{id}


def test_movie_card_has_every_field_the_page_shows(client: TestClient) -> None:
    card = client.get("/pelicula/900001").json()
    assert (card["titulo"], card["anio"], card["fecha_lanzamiento"]) == (
        "Comet Street",
        2005,
        "2005-06-17",
    )
    assert card["votos"] == {
        "cumple_condicion": True,
        "minimo": 2000,
        "votos": 4213,
        "promedio": 7.1,
        "mensaje": None,
    }
    assert (card["presupuesto"], card["recaudacion"]) == (60_000_000.0, 214_300_512.0)
    assert card["retorno"] == pytest.approx(214_300_512 / 60_000_000, rel=1e-6)
    assert card["ganancia"] == 154_300_512.0
    assert card["generos"] == ["Science Fiction", "Adventure"]
    assert card["direccion"] == ["Lucía Ferrándiz"]
    assert card["reparto"][0] == {"nombre": "Marcus Whitlow", "personaje": "Captain Abel Forde"}
    assert card["coleccion"] == "Comet Street Collection"
    assert card["poster"] is None
    assert card["popularidad"] == pytest.approx(31.402118)


def test_card_agrees_with_the_mission_queries(client: TestClient) -> None:
    card = client.get("/pelicula/900001").json()
    score = client.get("/score_titulo/Comet Street").json()
    votes = client.get("/votos_titulo/Comet Street").json()
    assert (score["popularidad"], score["anio"]) == (card["popularidad"], card["anio"])
    assert (votes["votos"], votes["promedio"]) == (
        card["votos"]["votos"],
        card["votos"]["promedio"],
    )


def test_exactly_2000_votes_meets_the_rule(client: TestClient) -> None:
    votes = client.get("/pelicula/900016").json()["votos"]
    assert (votes["cumple_condicion"], votes["votos"]) == (True, 2000)


def test_fewer_than_2000_votes_shows_the_count_and_withholds_the_average(
    client: TestClient,
) -> None:
    card = client.get("/pelicula/900008").json()  # The Glass Orchard (1987), 311 votes
    assert (card["titulo"], card["anio"]) == ("The Glass Orchard", 1987)
    assert card["votos"]["cumple_condicion"] is False
    assert (card["votos"]["votos"], card["votos"]["promedio"]) == (311, None)
    assert "2.000" in card["votos"]["mensaje"]


def test_movie_without_credits_has_empty_cast_and_direction(client: TestClient) -> None:
    card = client.get("/pelicula/900037").json()
    assert (card["titulo"], card["reparto"], card["direccion"]) == ("Polar Night Radio", [], [])


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/pelicula/12345", 404),
        ("/pelicula/abc", 422),
        ("/pelicula/0", 422),
        ("/pelicula/-3", 422),
        ("/pelicula/9223372036854775807", 404),  # the largest id a catalog keeps: looked up
        ("/pelicula/9223372036854775808", 422),
    ],
)
def test_bad_movie_ids_get_spanish_errors(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.json()["mensaje"]


# ---------------------------------------------------------------- GET /persona/{nombre}


def test_actor_page_has_mission_figures_and_films(client: TestClient) -> None:
    page = client.get("/persona/Marcus Whitlow").json()
    assert page["actor"]["cantidad_peliculas"] == 6
    assert page["actor"]["retorno_total"] == pytest.approx(16.500495, abs=1e-5)
    assert page["actor"]["retorno_promedio"] == pytest.approx(2.750083, abs=1e-5)
    assert page["actor"]["peliculas_con_retorno"] == 5
    films = page["peliculas_como_actor"]
    assert len(films) == 6
    assert [f["fecha_lanzamiento"] for f in films] == sorted(f["fecha_lanzamiento"] for f in films)
    assert {"Comet Street", "Comet Street: Second Orbit"} <= {f["titulo"] for f in films}
    assert page["director"] is None


def test_person_page_agrees_with_get_actor_and_get_director(client: TestClient) -> None:
    page = client.get("/persona/daniel arbeloa").json()
    actor = client.get("/get_actor/Daniel Arbeloa").json()
    director = client.get("/get_director/Daniel Arbeloa").json()
    assert page["nombre"] == actor["actor"] == "Daniel Arbeloa"
    for key in ("cantidad_peliculas", "retorno_total", "retorno_promedio", "peliculas_con_retorno"):
        assert page["actor"][key] == actor[key]
    assert sorted(f["id"] for f in page["peliculas_como_actor"]) == [900010, 900011, 900035]
    assert page["director"]["retorno_total"] == director["retorno_total"]
    ours = [
        (f["titulo"], f["fecha_lanzamiento"], f["costo"]) for f in page["director"]["peliculas"]
    ]
    theirs = [(f["titulo"], f["fecha_lanzamiento"], f["costo"]) for f in director["peliculas"]]
    assert ours == theirs == [("Uncle Ramón's Last Wedding", "2017-10-13", 4_000_000.0)]


def test_director_page_lists_films_by_date(client: TestClient) -> None:
    page = client.get("/persona/LUCIA  FERRANDIZ").json()
    assert page["nombre"] == "Lucía Ferrándiz"
    assert page["director"]["cantidad_peliculas"] == 4
    assert page["director"]["retorno_total"] == pytest.approx(8.339678, abs=1e-5)
    dates = [f["fecha_lanzamiento"] for f in page["director"]["peliculas"]]
    assert dates == sorted(dates)


def test_non_latin_names_are_found(client: TestClient) -> None:
    assert client.get("/persona/水野紗季").status_code == 200


def test_partial_name_is_404_with_suggestions(client: TestClient) -> None:
    response = client.get("/persona/Lucia Ferrandis")
    assert response.status_code == 404
    body = response.json()
    assert body["codigo"] == "no_encontrado"
    assert body["sugerencias"][0] == "Lucía Ferrándiz"


def test_name_over_200_characters_is_422(client: TestClient) -> None:
    response = client.get("/persona/" + "a" * 201)
    assert response.status_code == 422
    assert "200" in response.json()["mensaje"]


# ---------------------------------------------------------------- start-up and docs


def test_cards_of_another_catalog_are_refused_with_503(demo_catalog: Path, tmp_path: Path) -> None:
    other = tmp_path / "otro"
    build_catalog(None, other, fit_recommender=False)
    manifest = other / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**data, "version": "otra"}), encoding="utf-8")
    app = create_app(Settings(catalog_dir=other), catalog=Catalog.load(demo_catalog))
    with TestClient(app) as test_client:
        assert test_client.get("/score_titulo/Comet Street").status_code == 200
        response = test_client.get("/pelicula/900001")
        assert response.status_code == 503
        assert "tiene el catálogo otra" in response.json()["mensaje"]
        assert test_client.get("/app").status_code == 200


def test_missing_card_files_give_a_503_that_names_them(tmp_path: Path) -> None:
    catalog = tmp_path / "sin_fichas"
    build_catalog(None, catalog, fit_recommender=False)
    served = Catalog.load(catalog)
    (catalog / "fichas" / "personas.bin").unlink()  # lost after the catalog was checked
    app = create_app(Settings(catalog_dir=catalog), catalog=served)
    with TestClient(app) as test_client:
        response = test_client.get("/persona/Ana Torres")
        assert response.status_code == 503
        assert "personas.bin" in response.json()["mensaje"]
        assert test_client.get("/cantidad_filmaciones_mes/enero").status_code == 200


def test_json_routes_are_documented_in_spanish(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/app" not in paths
    for path in ("/pelicula/{id}", "/persona/{nombre}"):
        route = paths[path]["get"]
        assert route["summary"] and route["description"]
        assert "$ref" in route["responses"]["200"]["content"]["application/json"]["schema"]
        assert {"404", "422"} <= set(route["responses"])


def test_reload_swaps_in_the_cards_of_the_new_catalog(tmp_path: Path) -> None:
    directory = tmp_path / "catalogo"
    make_catalog(directory, [movie(1, "Primera", "2001-01-01")])
    settings = Settings(catalog_dir=directory, admin_token="secreto")
    with TestClient(create_app(settings)) as test_client:
        assert test_client.get("/pelicula/1").json()["titulo"] == "Primera"
        make_catalog(
            directory, [movie(1, "Renombrada", "2001-01-01"), movie(2, "Nueva", "2002-02-02")]
        )
        manifest = directory / "manifest.json"
        manifest.write_text(manifest.read_text().replace('"test"', '"v2"'), encoding="utf-8")
        reload = test_client.post("/admin/recargar", headers={"Authorization": "Bearer secreto"})
        assert reload.status_code == 200, reload.text
        assert test_client.get("/pelicula/1").json()["titulo"] == "Renombrada"
        assert test_client.get("/pelicula/2").status_code == 200


def test_posters_are_off_by_default_and_the_policy_allows_no_other_host(
    client: TestClient,
) -> None:
    response = client.get("/app")
    assert "tmdb" not in response.headers["content-security-policy"]
    assert "data-posters" not in response.text


def test_posters_setting_allows_only_the_tmdb_image_host(demo_catalog: Path) -> None:
    app = create_app(Settings(catalog_dir=demo_catalog, posters=True))
    with TestClient(app) as test_client:
        response = test_client.get("/app")
    policy = response.headers["content-security-policy"]
    assert "img-src 'self' data: https://image.tmdb.org;" in policy
    assert "default-src 'self';" in policy and "connect-src 'self';" in policy
    assert '<html lang="es" data-posters="si">' in response.text
