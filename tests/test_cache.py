"""Response cache and compression on the real app: gzip once, Vary, RFC 9110 If-None-Match."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from factories import make_catalog, movie
from filmoteca.api.app import create_app
from filmoteca.api.cache import MIN_COMPRESS, accepts_gzip, etag_matches
from filmoteca.config import Settings

BIG = "/buscar?q=pelicula&limite=50"  # 40 hits: several KB of JSON
SMALL = "/cantidad_filmaciones_mes/enero"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("cache")
    movies = [movie(i + 1, f"Pelicula numero {i}", "2001-01-05") for i in range(40)]
    catalog = make_catalog(root / "catalogo", movies)
    (root / "informe").mkdir()
    (root / "informe" / "index.html").write_text("<p>informe</p>" * 500)
    with TestClient(create_app(Settings(catalog_dir=catalog, report_dir=root / "informe"))) as c:
        yield c


def _raw(client: TestClient, path: str, **headers: str) -> httpx.Response:
    """A GET whose body is left as sent (httpx would decode gzip)."""
    with client.stream("GET", path, headers=headers) as response:
        response.read()
        return response


@pytest.mark.parametrize("attempt", ["miss", "hit"])
def test_large_answers_are_gzipped_with_vary(client: TestClient, attempt: str) -> None:
    plain = client.get(BIG, headers={"Accept-Encoding": "identity"})
    assert len(plain.content) >= MIN_COMPRESS and plain.headers["vary"] == "Accept-Encoding"
    assert "content-encoding" not in plain.headers
    zipped = client.get(BIG, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.content == plain.content  # httpx decoded it: the same answer
    assert int(zipped.headers["content-length"]) < len(plain.content) / 3
    assert zipped.headers["etag"] == "W/" + plain.headers["etag"]


def test_gzip_bytes_are_made_once_and_replayed(client: TestClient) -> None:
    path = "/buscar?q=pelicula&limite=40"
    first = _raw(client, path, **{"Accept-Encoding": "gzip"})
    second = _raw(client, path, **{"Accept-Encoding": "gzip"})
    assert second.headers["x-cache"] == "HIT"
    cache = client.app.state.response_cache  # type: ignore[attr-defined]
    entry = cache.get(path.encode())
    assert entry is not None and entry.gzip_body
    assert gzip.decompress(entry.gzip_body) == entry.body
    assert first.headers["content-length"] == second.headers["content-length"]


def test_small_answers_are_not_compressed(client: TestClient) -> None:
    response = client.get(SMALL, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert response.headers["vary"] == "Accept-Encoding"


@pytest.mark.parametrize("path", ["/reporte", "/app", "/app/app.js", "/openapi.json"])
def test_pages_and_assets_are_gzipped(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in response.headers["vary"].lower()


@pytest.mark.parametrize(
    ("header", "gzipped"),
    [("gzip;q=0", False), ("identity;q=1, gzip;q=0", False), ("*", True), ("GZIP", True)],
)
@pytest.mark.parametrize("path", ["/openapi.json", "/app/app.js"])
def test_pages_follow_the_weight_of_gzip_as_the_cached_answers_do(
    client: TestClient, path: str, header: str, gzipped: bool
) -> None:
    response = client.get(path, headers={"Accept-Encoding": header})
    assert response.status_code == 200
    assert (response.headers.get("content-encoding") == "gzip") is gzipped
    assert "accept-encoding" in response.headers["vary"].lower()


def test_no_gzip_when_refused(client: TestClient) -> None:
    response = client.get(BIG, headers={"Accept-Encoding": "gzip;q=0, deflate"})
    assert "content-encoding" not in response.headers


@pytest.mark.parametrize(
    "header",
    ['"{tag}"', 'W/"{tag}"', '"otra", "{tag}"', '"otra",W/"{tag}" ', "*", ' W/"{tag}",  "x"'],
)
@pytest.mark.parametrize("path", [SMALL, BIG])
def test_if_none_match_weak_lists_and_star_give_304(
    client: TestClient, header: str, path: str
) -> None:
    first = client.get(path)
    tag = first.headers["etag"].removeprefix("W/").strip('"')
    for _ in range(2):  # a miss after a reload and a hit answer alike
        again = client.get(path, headers={"If-None-Match": header.format(tag=tag)})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == first.headers["etag"]
        assert again.headers["vary"] == "Accept-Encoding" and "cache-control" in again.headers


@pytest.mark.parametrize("header", ['"otra"', 'W/"otra", "tampoco"', ""])
def test_other_tags_get_the_answer(client: TestClient, header: str) -> None:
    assert client.get(SMALL, headers={"If-None-Match": header}).status_code == 200


def test_a_missing_answer_is_never_304(client: TestClient) -> None:
    response = client.get("/score_titulo/nada de nada", headers={"If-None-Match": "*"})
    assert response.status_code == 404


def test_a_304_on_the_first_request(client: TestClient) -> None:
    tag = client.get(SMALL).headers["etag"]  # one tag per catalog version
    response = client.get("/cantidad_filmaciones_mes/marzo", headers={"If-None-Match": tag})
    assert (response.status_code, response.headers["x-cache"]) == (304, "MISS")


@pytest.mark.parametrize(
    "path", ["/pelicula/1", "/persona/nadie", "/recomendacion/pelicula numero 1"]
)
def test_catalog_only_routes_are_cached_and_validated(client: TestClient, path: str) -> None:
    first = client.get(path)
    second = client.get(path)
    assert "x-cache" in first.headers  # through the cache (here without recommender: 503)
    assert second.headers["x-cache"] == ("MISS" if first.status_code == 503 else "HIT")
    if first.status_code == 200:
        assert "etag" in first.headers and "max-age" in first.headers["cache-control"]
        tagged = client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert tagged.status_code == 304


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"gzip", True),
        (b"gzip, deflate, br", True),
        (b"deflate, gzip;q=0.5", True),
        (b"GZIP", True),
        (b"x-gzip", True),
        (b"*", True),
        (b"gzip;q=0", False),
        (b"gzip; q=0.0, deflate", False),
        (b"*;q=0", False),
        (b"identity", False),
        (b"br, *;q=0.1", True),
        (b"gzip;q=abc", False),
        (b"", False),
    ],
)
def test_accept_encoding_is_read_as_rfc_9110_says(value: bytes, expected: bool) -> None:
    assert accepts_gzip(value) is expected


def test_etag_comparison_is_weak() -> None:
    assert etag_matches(b'W/"a"', b'"a"') and etag_matches(b'"a"', b'W/"a"')
    assert etag_matches(b'"b", W/"a"', b'"a"') and etag_matches(b" * ", b'"a"')
    assert not etag_matches(b'"ab"', b'"a"') and not etag_matches(b'"a"', None)
