"""Logs of filmoteca and uvicorn: one JSON object per line (or plain text), with the request id.

request_id_var      the current request's id (set by ObservabilityMiddleware)
JsonFormatter       {"ts", "level", "logger", "message", "request_id", ...fields, "exception"}
TextFormatter       the same, readable in a terminal
log_config          a dictConfig for filmoteca and uvicorn (uvicorn.run(log_config=...))
configure_logging   apply it in this process
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import logging.config
from typing import Any

import orjson

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "filmoteca_request_id", default=None
)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id, fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise a record (with its `fields` extra and the current request id)."""
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id_var.get()
        if rid is not None:
            entry["request_id"] = rid
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode("utf-8")


class TextFormatter(logging.Formatter):
    """Plain text for a terminal: time, level, logger, message, request id and fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Render a record as one readable line (plus the traceback, if any)."""
        fields = getattr(record, "fields", None) or {}
        rid = request_id_var.get()
        extra = " ".join(f"{k}={v}" for k, v in fields.items())
        line = f"{self.formatTime(record)} {record.levelname} {record.name}: {record.getMessage()}"
        line += f" [{rid}]" if rid else ""
        line += f" {extra}" if extra else ""
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


LOGGERS_CONFIGURED = ("filmoteca", "uvicorn", "uvicorn.error", "uvicorn.access")


def log_config(level: str = "info", fmt: str = "json") -> dict[str, Any]:
    """A `logging.config.dictConfig` for filmoteca and uvicorn (also uvicorn's `log_config`)."""
    formatter = JsonFormatter if fmt == "json" else TextFormatter
    quiet = {"handlers": [], "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": {"()": f"{__name__}.{formatter.__name__}"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "main",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "filmoteca": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            # Our access log (filmoteca.acceso) replaces uvicorn's.
            "uvicorn.access": {**quiet, "level": "WARNING"},
        },
    }


def configure_logging(level: str = "info", fmt: str = "json") -> None:
    """Send filmoteca's and uvicorn's logs to stderr as JSON lines (or plain text)."""
    logging.config.dictConfig(log_config(level, fmt))
