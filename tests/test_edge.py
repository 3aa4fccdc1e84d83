"""The API's edge on the real app: body limit, load shedding and security headers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import make_catalog, movie
from filmoteca.api.app import create_app
from filmoteca.api.edge import (
    BURST,
    MAX_BODY,
    PENDING,
    RECEIVED,
    EdgeMiddleware,
    Pending,
    secure_headers,
)
from filmoteca.config import Settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("borde")
    catalog = make_catalog(root / "catalogo", [movie(1, "Toy Story", "1995-10-30")])
    (root / "informe").mkdir()
    (root / "informe" / "index.html").write_text("<!doctype html><title>i</title>")
    settings = Settings(catalog_dir=catalog, report_dir=root / "informe")
    with TestClient(create_app(settings)) as client:
        yield client


HTML_ROUTES = ["/docs", "/redoc", "/reporte", "/app"]
JSON_ROUTES = ["/salud", "/score_titulo/toy story", "/score_titulo/nada", "/no/existe", "/"]


@pytest.mark.parametrize("path", HTML_ROUTES + JSON_ROUTES)
def test_every_response_says_nosniff_and_no_referrer(client: TestClient, path: str) -> None:
    for _ in range(2):  # the second answer of a query route comes from the response cache
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("path", HTML_ROUTES)
def test_html_pages_may_not_be_framed(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_the_page_keeps_its_own_policy(client: TestClient) -> None:
    policy = client.get("/app").headers["content-security-policy"]
    assert "script-src 'self'" in policy and policy.count("frame-ancestors") == 1


def test_cached_query_answers_carry_the_headers(client: TestClient) -> None:
    client.get("/score_titulo/Toy Story")
    again = client.get("/score_titulo/Toy Story")
    assert again.headers["x-cache"] == "HIT"
    assert again.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in again.headers  # JSON, not a page


def test_a_declared_body_over_the_limit_is_refused_before_reading(client: TestClient) -> None:
    body = b"{" + b" " * MAX_BODY + b"}"
    response = client.post(
        "/recomendacion", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["codigo"] == "cuerpo_demasiado_grande"
    assert response.headers["connection"] == "close"


def test_a_streamed_body_is_cut_at_the_limit(client: TestClient) -> None:
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(100):  # 6.4 MB if it were all read
            sent.append(1)
            yield b" " * (64 << 10)

    response = client.post(
        "/recomendacion", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413 and response.json()["codigo"] == "cuerpo_demasiado_grande"


def test_a_small_body_still_reaches_the_route(client: TestClient) -> None:
    response = client.post("/recomendacion", json={"titulo": "Toy Story"})
    assert response.status_code != 413  # the route answers (here: no recommender, its 503)
    assert response.json()["codigo"] not in {"cuerpo_demasiado_grande", "servicio_saturado"}


def test_an_unreadable_content_length_is_refused() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("no debe llegar a la aplicación")

    messages = _run(EdgeMiddleware(app), {"headers": [(b"content-length", b"12x")]})
    assert messages[0]["status"] == 413


def _run(middleware: EdgeMiddleware, extra: dict[str, Any]) -> list[dict[str, Any]]:
    """One request through the middleware alone; the messages it sent."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    async def main() -> None:
        scope = {"type": "http", "method": "GET", "path": "/x", "headers": [], **extra}
        if "received_ago" in extra:
            received = asyncio.get_running_loop().time() - scope.pop("received_ago")
            scope["extensions"] = {RECEIVED: received}
            if "pending" in scope:
                scope["extensions"][PENDING] = scope.pop("pending")
        await middleware(scope, receive, send)

    asyncio.run(main())
    return sent


async def _ok(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def test_a_request_that_queued_too_long_is_shed_with_retry_after() -> None:
    messages = _run(EdgeMiddleware(_ok, shed_after=0.5), {"received_ago": 2.0})
    assert messages[0]["status"] == 503
    assert (b"retry-after", b"1") in messages[0]["headers"]
    assert b"servicio_saturado" in messages[1]["body"]


def test_a_fresh_request_is_served() -> None:
    messages = _run(EdgeMiddleware(_ok, shed_after=0.5), {"received_ago": 0.01})
    assert messages[0]["status"] == 200


def test_probes_and_the_reload_are_never_shed() -> None:
    for path in ("/listo", "/salud", "/admin/recargar"):
        messages = _run(EdgeMiddleware(_ok), {"received_ago": 9.0, "path": path})
        assert messages[0]["status"] == 200


def _pending(**clients: int) -> Pending:
    pending = Pending()
    for client, count in clients.items():
        for _ in range(count):
            pending.arrived(client)
    return pending


def _status(pending: Pending, client: str, waited: float) -> int:
    extra = {"received_ago": waited, "pending": (pending, client)}
    return int(_run(EdgeMiddleware(_ok, shed_after=0.5), extra)[0]["status"])


def test_a_lone_client_is_not_shed_however_long_its_burst_queues() -> None:
    # e.g. a browser loading the page on a slow host: nobody else to be fair to
    assert _status(_pending(navegador=20), "navegador", 3.0) == 200
    assert _status(_pending(wrk=256), "wrk", 3.0) == 200


def test_the_client_above_its_share_is_shed_not_the_others() -> None:
    pending = _pending(inundador=256, navegador=20, otro=1)
    assert _status(pending, "inundador", 1.0) == 503
    assert _status(pending, "navegador", 1.0) == 200
    assert _status(pending, "otro", 1.0) == 200


def test_up_to_a_burst_of_pending_requests_is_never_above_the_share() -> None:
    pending = _pending(a=BURST, b=1)
    assert not pending.above_share("a") and _status(pending, "a", 2.0) == 200
    pending.arrived("a")
    assert pending.above_share("a") and _status(pending, "a", 2.0) == 503


def test_nothing_is_shed_before_the_queue_is_long() -> None:
    assert _status(_pending(inundador=256, otro=1), "inundador", 0.1) == 200


def test_past_the_last_resort_anyone_is_shed() -> None:
    assert _status(_pending(navegador=3), "navegador", 6.0) == 503


def test_pending_counts_go_back_to_zero() -> None:
    pending = _pending(a=3, b=2)
    pending.answered("a", 2)
    pending.answered("b")
    pending.answered("b")
    pending.answered("b")  # more than were pending: ignored
    pending.answered("a")
    assert pending.by_client == {} and pending.total == 0


def test_a_page_policy_without_frame_ancestors_gets_it() -> None:
    headers = secure_headers(
        [(b"content-type", b"text/html"), (b"content-security-policy", b"default-src 'self'")]
    )
    assert (b"content-security-policy", b"default-src 'self'; frame-ancestors 'none'") in headers
