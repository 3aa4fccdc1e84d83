"""The HTTP API in process (TestClient) over the sample catalog (see sample_catalog.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from filmoteca.api import schemas
from filmoteca.api.app import create_app
from filmoteca.catalog import Catalog
from filmoteca.config import Settings
from filmoteca.errors import CatalogMissing
from sample_catalog import make_sample_catalog

TEXT_ROUTES = ("score_titulo", "votos_titulo", "get_actor", "get_director")
ALL_PARAM_ROUTES = ("cantidad_filmaciones_mes", "cantidad_filmaciones_dia", *TEXT_ROUTES)


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample_catalog(tmp_path_factory.mktemp("muestra"))


@pytest.fixture(scope="module")
def settings(catalog_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(catalog_dir=catalog_dir, report_dir=tmp_path_factory.mktemp("informe"))


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def get(client: TestClient, path: str, status: int = 200, **params: Any) -> Any:
    """GET a path (its segments quoted) and check the status; the JSON body."""
    response = client.get(quote(path, safe="/?=&"), params=params or None)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


# ----------------------------------------------------------------- the six queries


def test_month_count(client: TestClient) -> None:
    assert get(client, "/cantidad_filmaciones_mes/Mayo") == {"mes": "mayo", "cantidad": 3}
    assert get(client, "/cantidad_filmaciones_mes/setiembre") == {
        "mes": "septiembre",
        "cantidad": 0,
    }
    assert get(client, "/cantidad_filmaciones_mes/6") == {"mes": "junio", "cantidad": 2}


def test_weekday_count(client: TestClient) -> None:
    assert get(client, "/cantidad_filmaciones_dia/VIERNES") == {"dia": "viernes", "cantidad": 6}
    assert get(client, "/cantidad_filmaciones_dia/miercoles") == {"dia": "miércoles", "cantidad": 1}
    assert get(client, "/cantidad_filmaciones_dia/sábado") == {"dia": "sábado", "cantidad": 1}


@pytest.mark.parametrize(
    ("route", "kind"), [("cantidad_filmaciones_mes", "mes"), ("cantidad_filmaciones_dia", "día")]
)
def test_invalid_month_or_weekday_is_422_listing_valid_values(
    client: TestClient, route: str, kind: str
) -> None:
    body = get(client, f"/{route}/brumario", 422)
    assert body["codigo"] == "consulta_invalida"
    assert kind in body["mensaje"]
    assert "enero" in body["valores_validos"] or "lunes" in body["valores_validos"]


def test_score_title(client: TestClient) -> None:
    assert get(client, "/score_titulo/toy story") == {
        "titulo": "Toy Story",
        "anio": 1995,
        "popularidad": 70.5,
        "id": 12,
    }


def test_shared_title_answers_most_voted_and_lists_others(client: TestClient) -> None:
    body = get(client, "/score_titulo/BATMAN")
    assert (body["id"], body["anio"]) == (10, 1989)
    assert body["otras_coincidencias"] == [{"titulo": "Batman", "anio": 1966, "id": 11}]


def test_year_chooses_among_shared_titles(client: TestClient) -> None:
    body = get(client, "/score_titulo/batman", anio=1966)
    assert (body["id"], body["popularidad"]) == (11, 5.0)
    assert body["otras_coincidencias"] == [{"titulo": "Batman", "anio": 1989, "id": 10}]


def test_year_without_that_title_is_404_with_the_years(client: TestClient) -> None:
    body = get(client, "/votos_titulo/batman", 404, anio=1950)
    assert body["anios_disponibles"] == [1966, 1989]
    assert "1950" in body["mensaje"]


@pytest.mark.parametrize("anio", ["abc", "1800", "3000", "19.5"])
def test_invalid_year_is_422(client: TestClient, anio: str) -> None:
    body = get(client, "/score_titulo/batman", 422, anio=anio)
    assert body["errores"][0]["parametro"] == "anio"


def test_votes_with_enough_votes(client: TestClient) -> None:
    assert get(client, "/votos_titulo/Toy Story") == {
        "titulo": "Toy Story",
        "anio": 1995,
        "votos": 5000,
        "promedio": 7.7,
        "id": 12,
    }
    assert get(client, "/votos_titulo/that thing you do!")["votos"] == 2000  # threshold included


def test_votes_below_threshold_is_200_without_figures(client: TestClient) -> None:
    body = get(client, "/votos_titulo/enero")
    assert body["cumple_condicion"] is False
    assert "2000" in body["mensaje"]
    assert set(body) == {"titulo", "anio", "cumple_condicion", "mensaje"}


def test_actor(client: TestClient) -> None:
    assert get(client, "/get_actor/tom hanks") == {
        "actor": "Tom Hanks",
        "cantidad_peliculas": 4,
        "retorno_total": 18.0,
        "retorno_promedio": 4.5,
        "peliculas_con_retorno": 4,
    }
    assert get(client, "/get_actor/Michael Keaton")["peliculas_con_retorno"] == 1


def test_actor_only_directing_is_404(client: TestClient) -> None:
    body = get(client, "/get_actor/Tim Burton", 404)
    assert body["codigo"] == "no_encontrado"


def test_director_films_by_date_with_figures(client: TestClient) -> None:
    assert get(client, "/get_director/JOHN WOO") == {
        "director": "John Woo",
        "cantidad_peliculas": 2,
        "retorno_total": 3.0,
        "peliculas": [
            {
                "titulo": "Hard Target",
                "fecha_lanzamiento": "1993-08-20",
                "retorno": 0.0,
                "costo": 0.0,
                "recaudacion": 0.0,
                "ganancia": 0.0,
            },
            {
                "titulo": "Face/Off",
                "fecha_lanzamiento": "1997-06-27",
                "retorno": 3.0,
                "costo": 80.0,
                "recaudacion": 240.0,
                "ganancia": 160.0,
            },
        ],
    }


def test_title_with_a_slash(client: TestClient) -> None:
    assert get(client, "/score_titulo/Face/Off")["id"] == 15
    assert client.get("/score_titulo/Face%2FOff").json()["id"] == 15


@pytest.mark.parametrize(
    ("path", "first"),
    [
        ("/get_actor/Tom", "Tom Hanks"),
        ("/get_actor/micheal keeton", "Michael Keaton"),
        ("/get_director/tim burtn", "Tim Burton"),
        ("/score_titulo/Toy Stroy", "Toy Story"),
    ],
)
def test_unknown_is_404_with_up_to_five_suggestions(
    client: TestClient, path: str, first: str
) -> None:
    body = get(client, path, 404)
    assert body["sugerencias"][0] == first
    assert len(body["sugerencias"]) <= 5
    assert body["mensaje"]


@pytest.mark.parametrize("route", ALL_PARAM_ROUTES)
def test_path_parameter_over_200_characters_is_422(client: TestClient, route: str) -> None:
    at_limit = client.get(f"/{route}/{'a' * 200}").json()
    assert "errores" not in at_limit  # 200 is allowed: answered (404 / 422 invalid value)
    body = get(client, f"/{route}/{'a' * 201}", 422)
    assert "200" in body["mensaje"]
    assert body["errores"][0]["parametro"] in {
        "mes",
        "dia",
        "titulo",
        "nombre_actor",
        "nombre_director",
    }


ODD = ["%00", "..", "%2e%2e", "%F0%9F%8E%AC", "%25", "%20", "a%0Ab", "'; drop table", "ñ" * 200]


@pytest.mark.parametrize("route", ALL_PARAM_ROUTES)
@pytest.mark.parametrize("value", ODD)
def test_odd_input_never_gives_500(client: TestClient, route: str, value: str) -> None:
    response = client.get(f"/{route}/{value}")
    assert response.status_code in {200, 404, 422}, response.text
    assert "codigo" in response.json() or response.status_code == 200


# ------------------------------------------------------------------------ search


def test_search_titles_and_people(client: TestClient) -> None:
    body = get(client, "/buscar", q="tom")
    assert body["total"] == 1
    assert body["resultados"] == [
        {
            "tipo": "persona",
            "nombre": "Tom Hanks",
            "peliculas_como_actor": 4,
            "peliculas_como_director": 1,
            "ficha": "/persona/Tom%20Hanks",
            "consultas": ["/get_actor/Tom%20Hanks", "/get_director/Tom%20Hanks"],
        }
    ]
    movie = get(client, "/buscar", q="face")["resultados"][0]
    assert movie["ficha"] == "/pelicula/15"
    assert get(client, movie["ficha"])["titulo"] == "Face/Off"
    assert get(client, body["resultados"][0]["ficha"])["nombre"] == "Tom Hanks"
    assert movie["consultas"] == [
        "/score_titulo/Face%2FOff?anio=1997",
        "/votos_titulo/Face%2FOff?anio=1997",
    ]
    assert get(client, movie["consultas"][0])["id"] == 15


def test_search_paginates(client: TestClient) -> None:
    first = get(client, "/buscar", q="batman", limite=1)
    second = get(client, "/buscar", q="batman", limite=1, pagina=2)
    assert (first["total"], first["pagina"], first["limite"]) == (2, 1, 1)
    assert [first["resultados"][0]["id"], second["resultados"][0]["id"]] == [10, 11]
    assert (first["total_paginas"], second["total_paginas"]) == (2, 2)
    assert first["anterior"] is None and second["siguiente"] is None
    assert first["siguiente"] == "/buscar?q=batman&limite=1&pagina=2"
    assert get(client, first["siguiente"]) == second
    assert get(client, second["anterior"]) == first


def test_search_page_beyond_the_last_is_empty_and_links_to_the_last(client: TestClient) -> None:
    body = get(client, "/buscar", q="batman", limite=1, pagina=9)
    assert body["resultados"] == [] and body["total_paginas"] == 2
    assert body["siguiente"] is None
    assert body["anterior"] == "/buscar?q=batman&limite=1&pagina=2"


def test_search_without_results_has_no_pages(client: TestClient) -> None:
    body = get(client, "/buscar", q="zzz")
    assert (body["total"], body["total_paginas"], body["siguiente"], body["anterior"]) == (
        0,
        0,
        None,
        None,
    )


def test_search_links_quote_the_query_and_stop_at_the_last_accepted_page(
    client: TestClient,
) -> None:
    many = get(client, "/buscar", q="a", limite=1, pagina=1000)
    if many["total"] > 1000:
        assert many["siguiente"] is None
    from filmoteca.api.schemas import busqueda_fields
    from filmoteca.catalog import SearchPage

    fields = busqueda_fields("toy story/2?", SearchPage(total=3, hits=()), 1, 2)
    assert fields["siguiente"] == "/buscar?q=toy%20story%2F2%3F&limite=2&pagina=2"
    huge = busqueda_fields("a", SearchPage(total=10**6, hits=()), 1000, 1)
    assert huge["siguiente"] is None and huge["total_paginas"] == 10**6


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "x", "limite": 0},
        {"q": "x", "limite": 51},
        {"q": "x", "pagina": 0},
        {"q": "a" * 201},
    ],
)
def test_search_bounds_are_422(client: TestClient, params: dict[str, Any]) -> None:
    body = get(client, "/buscar", 422, **params)
    assert body["codigo"] == "consulta_invalida"
    assert body["errores"]


def test_blank_search_is_422(client: TestClient) -> None:
    assert get(client, "/buscar", 422, q="   ")["codigo"] == "consulta_invalida"


# ---------------------------------------------------------------- service routes


def test_root_describes_service_and_catalog(client: TestClient) -> None:
    body = get(client, "/")
    assert body["documentacion"] == "/docs"
    assert body["catalogo"]["version"] == "test"
    assert (body["catalogo"]["peliculas"], body["catalogo"]["actores"]) == (11, 3)
    assert body["enlaces"]["reporte"] == "/reporte"
    for link in body["enlaces"].values():
        assert client.get(link).status_code in {200, 404}  # 404 only for the missing report


def test_health(client: TestClient) -> None:
    assert get(client, "/salud") == {"estado": "ok", "catalogo": "test", "peliculas": 11}


def test_report_missing_is_404_in_spanish(client: TestClient) -> None:
    body = get(client, "/reporte", 404)
    assert "filmoteca report" in body["mensaje"]


def test_report_is_served_when_generated(settings: Settings, client: TestClient) -> None:
    index = settings.report_dir / "index.html"
    index.write_text("<html><body>Informe</body></html>", encoding="utf-8")
    try:
        response = client.get("/reporte")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "Informe" in response.text
    finally:
        index.unlink()


def test_unknown_route_and_wrong_method_share_the_error_shape(client: TestClient) -> None:
    assert get(client, "/no_existe", 404)["codigo"] == "no_encontrado"
    response = client.post("/salud")
    assert response.status_code == 405
    assert response.json()["codigo"] == "metodo_no_permitido"


# ------------------------------------------------------------- schemas and docs


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        ("/cantidad_filmaciones_mes/enero", schemas.CantidadMes),
        ("/cantidad_filmaciones_dia/lunes", schemas.CantidadDia),
        ("/score_titulo/batman", schemas.ScoreTitulo),
        ("/votos_titulo/toy story", schemas.VotosTitulo),
        ("/votos_titulo/enero", schemas.VotosInsuficientes),
        ("/get_actor/tom hanks", schemas.Actor),
        ("/get_director/tim burton", schemas.Director),
        ("/buscar?q=toy", schemas.Busqueda),
        ("/get_actor/tom", schemas.Error),
        ("/", schemas.Info),
        ("/salud", schemas.Salud),
    ],
)
def test_responses_validate_against_their_schema(
    client: TestClient, path: str, schema: type
) -> None:
    response = client.get(quote(path, safe="/?="))
    schema.model_validate(response.json())  # type: ignore[attr-defined]


def test_openapi_documents_every_api_route_in_spanish(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ours = [
        f"/{r}/{{{p}}}"
        for r, p in zip(
            ALL_PARAM_ROUTES,
            ["mes", "dia", "titulo", "titulo", "nombre_actor", "nombre_director"],
            strict=True,
        )
    ]
    for path in [*ours, "/buscar", "/", "/salud", "/reporte"]:
        operation = spec["paths"][path]["get"]
        assert operation["summary"] and operation["description"], path
        assert "200" in operation["responses"], path
        content = operation["responses"]["200"]["content"]
        assert "application/json" in content or "text/html" in content, path
    for path in ours:
        operation = spec["paths"][path]["get"]
        assert "404" in operation["responses"] or "422" in operation["responses"]
        parameter = next(p for p in operation["parameters"] if p["in"] == "path")
        assert parameter["schema"]["maxLength"] == 200
        assert parameter.get("examples"), path
    for name in ("CantidadMes", "ScoreTitulo", "Actor", "Director", "Error", "Busqueda"):
        assert spec["components"]["schemas"][name]["examples"], name


# ---------------------------------------------------------------- response cache


def test_repeated_query_is_replayed_from_cache_with_etag(client: TestClient) -> None:
    first = client.get("/get_actor/michael%20keaton")
    second = client.get("/get_actor/michael%20keaton")
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT")
    assert first.content == second.content
    assert second.headers["etag"] == first.headers["etag"] == '"test-0.1.0"'
    assert "max-age" in second.headers["cache-control"]
    again = client.get(
        "/get_actor/michael%20keaton", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""


def test_not_found_is_cached_without_client_caching_headers(client: TestClient) -> None:
    client.get("/get_actor/nadie%20nunca")
    second = client.get("/get_actor/nadie%20nunca")
    assert (second.status_code, second.headers["x-cache"]) == (404, "HIT")
    assert "etag" not in second.headers


def test_only_query_routes_are_cached(client: TestClient) -> None:
    assert "x-cache" not in client.get("/salud").headers
    assert "x-cache" not in client.get("/").headers


def test_cache_is_bounded_and_follows_the_catalog(catalog_dir: Path, settings: Settings) -> None:
    app = create_app(settings)
    cache = app.state.response_cache
    cache.max_entries = 2
    with TestClient(app) as test_client:
        for month in ("enero", "febrero", "marzo"):
            test_client.get(f"/cantidad_filmaciones_mes/{month}")
        assert len(cache) == 2
        assert test_client.get("/cantidad_filmaciones_mes/enero").headers["x-cache"] == "MISS"
        app.state.catalog = Catalog.load(catalog_dir)  # a reload: same files, new object
        assert test_client.get("/cantidad_filmaciones_mes/marzo").headers["x-cache"] == "MISS"
        assert len(cache) == 1


def test_app_without_cache_answers_the_same(settings: Settings, client: TestClient) -> None:
    with TestClient(create_app(settings, response_cache=False, routers=())) as plain:
        response = plain.get("/get_director/tim%20burton")
        assert "x-cache" not in response.headers
        assert response.json() == client.get("/get_director/tim%20burton").json()


# ------------------------------------------------------------------------ lifespan


def test_lifespan_loads_the_catalog_once_from_settings(settings: Settings) -> None:
    app = create_app(settings, routers=())
    assert app.state.catalog is None
    with TestClient(app) as test_client:
        loaded = app.state.catalog
        assert isinstance(loaded, Catalog)
        test_client.get("/salud")
        assert app.state.catalog is loaded


def test_missing_catalog_fails_at_start_up(tmp_path: Path) -> None:
    app = create_app(Settings(catalog_dir=tmp_path / "nada"), routers=())

    async def start() -> None:
        async with app.router.lifespan_context(app):
            pass

    with pytest.raises(CatalogMissing, match="No hay catálogo"):
        asyncio.run(start())


def test_path_segments_are_quoted_as_urllib_quotes_them() -> None:
    from urllib.parse import quote

    from filmoteca.api.schemas import path_segment

    samples = [
        "Tom Hanks",
        "Avatar: The Way",
        "Face/Off",
        "Amélie",
        "宮崎 駿",
        "a%b?c#&=+",
        "x-y_z.w~",
    ]
    samples += ["".join(map(chr, range(128))), " ", ""]
    assert [path_segment(s) for s in samples] == [quote(s, safe="") for s in samples]


@pytest.mark.parametrize(("q", "limit", "page"), [("toy", 10, 1), ("ha", 2, 2), ("a", 50, 1)])
def test_search_json_is_byte_for_byte_the_schema_serialisation(
    catalog_dir: Path, q: str, limit: int, page: int
) -> None:
    from filmoteca.api.responses import json_response

    catalog = Catalog.load(catalog_dir)
    found = catalog.search(q, limit, page)
    expected = json_response(schemas.Busqueda.from_page(q, found, page, limit)).body
    assert schemas.busqueda_json(q, found, page, limit) == expected


def test_the_app_starts_without_importing_pydantic_v1_and_still_tells_v1_models() -> None:
    import subprocess
    import sys

    code = """
import sys, warnings
from filmoteca.api.app import create_app
create_app()
before = 'pydantic.v1' in sys.modules
with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    from pydantic import v1
class Old(v1.BaseModel):
    a: int = 0
from fastapi._compat import shared
print(before, shared.is_pydantic_v1_model_class(Old), shared.annotation_is_pydantic_v1(list[Old]),
      shared.is_pydantic_v1_model_class(int))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "True", "False"]


def test_feature_routes_are_plain_routes_of_the_app_their_lifespans_nested_in_order() -> None:
    from contextlib import asynccontextmanager

    from fastapi import APIRouter, FastAPI
    from fastapi.routing import APIRoute
    from starlette.routing import Mount, Route

    from filmoteca.api import app as app_module

    app = create_app()
    # no composite route: FastAPI would analyse its routes again on the first request
    assert all(type(route) in (APIRoute, Route, Mount) for route in app.routes), [
        type(route).__name__ for route in app.routes if type(route) not in (APIRoute, Route, Mount)
    ]
    paths = [getattr(route, "path", "") for route in app.routes]
    assert paths.index("/redoc") < paths.index("/pelicula/{id}") < paths.index("/listo")

    seen: list[str] = []

    def recording(name: str, state: dict[str, int] | None) -> Any:
        @asynccontextmanager
        async def lifespan(_: Any) -> Any:
            seen.append(f"+{name}")
            yield state
            seen.append(f"-{name}")

        return lifespan

    plain = FastAPI(lifespan=recording("app", None))
    for name, state in (("a", {"x": 1, "a": 1}), ("b", None), ("c", {"x": 3})):
        app_module._add_feature_routes(plain, APIRouter(lifespan=recording(name, state)))

    async def run() -> Any:
        async with plain.router.lifespan_context(plain) as state:
            seen.append("serving")
            return state

    assert asyncio.run(run()) == {"x": 1, "a": 1}  # as include_router merges: the outer wins
    assert seen == ["+app", "+a", "+b", "+c", "serving", "-c", "-b", "-a", "-app"]
