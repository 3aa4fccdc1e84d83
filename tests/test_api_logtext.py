"""uvicorn's fixed log lines are rewritten into Spanish; anything else passes unchanged."""

from __future__ import annotations

import logging

import pytest

from filmoteca.api.logtext import SpanishServerLines, spanish


@pytest.mark.parametrize(
    ("english", "expected"),
    [
        ("Started server process [42]", "Proceso del servidor iniciado [42]"),
        (
            "Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)",
            "Servidor en http://127.0.0.1:8000 (Ctrl+C para detenerlo)",
        ),
        ("Application startup complete.", "Aplicación lista."),
        ("Received SIGTERM, exiting.", "Recibida la señal SIGTERM: se sale."),
        ("Child process [7] died", "El proceso hijo [7] terminó de forma inesperada"),
        ("Shutting down", "Deteniendo el servidor"),
    ],
)
def test_known_lines_are_translated(english: str, expected: str) -> None:
    assert spanish(english) == expected


def test_other_lines_pass_unchanged() -> None:
    for text in ("Shutting down now", "catálogo cargado", "Started server process [x]", ""):
        assert spanish(text) == text


def test_the_filter_translates_uvicorn_records_with_arguments_and_keeps_others() -> None:
    def record(name: str, msg: str, *args: object) -> logging.LogRecord:
        return logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)

    started = record("uvicorn.error", "Started server process [%d]", 99)
    assert SpanishServerLines().filter(started)
    assert started.getMessage() == "Proceso del servidor iniciado [99]"
    ours = record("filmoteca.acceso", "Shutting down")
    assert SpanishServerLines().filter(ours) and ours.getMessage() == "Shutting down"
