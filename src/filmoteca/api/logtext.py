"""uvicorn's own log lines in Spanish, like Click's texts in `filmoteca.clitext`.

uvicorn writes a handful of fixed English lines ("Uvicorn running on … (Press CTRL+C to quit)",
"Application startup complete." …). `SpanishServerLines`, a logging filter on the handler,
rewrites each known line into Spanish; any other line passes unchanged, so a new uvicorn
release can only leave a line in English, never lose it.
"""

from __future__ import annotations

import logging
import re

_SOCKET = r"(?:unix socket|socket) (.+)"
_LINES: tuple[tuple[str, str], ...] = (
    (r"Started server process \[(\d+)\]", r"Proceso del servidor iniciado [\1]"),
    (r"Finished server process \[(\d+)\]", r"Proceso del servidor terminado [\1]"),
    (r"Started parent process \[(\d+)\]", r"Proceso principal iniciado [\1]"),
    (r"Stopping parent process \[(\d+)\]", r"Deteniendo el proceso principal [\1]"),
    (r"Waiting for child process \[(\d+)\]", r"Esperando al proceso hijo [\1]"),
    (r"Terminated child process \[(\d+)\]", r"Proceso hijo detenido [\1]"),
    (r"Child process \[(\d+)\] died", r"El proceso hijo [\1] terminó de forma inesperada"),
    (r"Waiting for application startup\.", "Arrancando la aplicación."),
    (r"Application startup complete\.", "Aplicación lista."),
    (r"Application startup failed\. Exiting\.", "Falló el arranque de la aplicación: se sale."),
    (r"Waiting for application shutdown\.", "Cerrando la aplicación."),
    (r"Application shutdown complete\.", "Aplicación cerrada."),
    (r"Application shutdown failed\. Exiting\.", "Falló el cierre de la aplicación: se sale."),
    (r"Shutting down", "Deteniendo el servidor"),
    (
        r"Uvicorn running on (\S+) \(Press CTRL\+C to quit\)",
        r"Servidor en \1 (Ctrl+C para detenerlo)",
    ),
    (
        rf"Uvicorn running on {_SOCKET} \(Press CTRL\+C to quit\)",
        r"Servidor en el socket \1 (Ctrl+C para detenerlo)",
    ),
    (
        r"Waiting for connections to close\. \(CTRL\+C to force quit\)",
        "Esperando a que se cierren las conexiones (Ctrl+C para salir ya).",
    ),
    (
        r"Waiting for background tasks to complete\. \(CTRL\+C to force quit\)",
        "Esperando a que terminen las tareas en curso (Ctrl+C para salir ya).",
    ),
    (r"Received (SIG[A-Z]+), exiting\.", r"Recibida la señal \1: se sale."),
    (r"Invalid HTTP request received\.", "Se recibió una petición HTTP no válida."),
    (r"Unsupported upgrade request\.", "Petición de cambio de protocolo no admitida."),
    (r"No supported WebSocket library detected\..*", "WebSocket no está disponible: se ignora."),
    (r"Exception in ASGI application\s*", "Excepción en la aplicación ASGI"),
    (
        r"Maximum request limit of (\d+) exceeded\. Terminating process\.",
        r"Se alcanzó el máximo de \1 peticiones: se detiene el proceso.",
    ),
)
_COMPILED = tuple((re.compile(pattern, re.S), spanish) for pattern, spanish in _LINES)


def spanish(message: str) -> str:
    """The Spanish form of one of uvicorn's fixed lines; any other text unchanged."""
    for pattern, replacement in _COMPILED:
        match = pattern.fullmatch(message)
        if match:
            return match.expand(replacement)
    return message


class SpanishServerLines(logging.Filter):
    """Rewrites uvicorn's known lines into Spanish (records of other loggers pass untouched)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Translate the record in place; never drops one."""
        if record.name.startswith("uvicorn"):
            message = record.getMessage()
            translated = spanish(message)
            if translated != message:
                record.msg, record.args = translated, ()
        return True
