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
import re
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


# C0 controls (CR, LF, the ESC of ANSI sequences...), DEL, C1 controls, the Unicode line and
# paragraph separators, the bidirectional marks and overrides, and the invisible format
# characters (soft hyphen, zero-width space and joiners, word joiner, BOM): each written as a
# visible escape, so that two log fields that look alike are alike.
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return _NAMED.get(match.group()) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def escape_control(value: object) -> str:
    """`str(value)` with every control character escaped (`\\r`, `\\n`, `\\x1b`...), so that a
    field (a request path, a header...) can neither forge a log line nor drive a terminal."""
    text = str(value)
    return text if _CONTROL.search(text) is None else _CONTROL.sub(_escape_char, text)


def _indented_traceback(text: str) -> str:
    """A traceback, each line escaped and indented: nothing in it can pass for a log line."""
    return "\n".join("    " + escape_control(line) for line in text.splitlines())


class TextFormatter(logging.Formatter):
    """Plain text for a terminal: time, level, logger, message, request id and fields.

    Every part of the line but the traceback is passed through `escape_control` (the JSON
    format escapes them by construction), so one record is always one line.
    """

    def format(self, record: logging.LogRecord) -> str:
        """Render a record as one readable line (plus the traceback, if any)."""
        fields = getattr(record, "fields", None) or {}
        rid = request_id_var.get()
        extra = " ".join(f"{escape_control(k)}={escape_control(v)}" for k, v in fields.items())
        message = escape_control(record.getMessage())
        line = f"{self.formatTime(record)} {record.levelname} {escape_control(record.name)}: "
        line += message
        line += f" [{escape_control(rid)}]" if rid else ""
        line += f" {extra}" if extra else ""
        if record.exc_info:
            line += "\n" + _indented_traceback(self.formatException(record.exc_info))
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
        "filters": {"spanish": {"()": "filmoteca.api.logtext.SpanishServerLines"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "main",
                "filters": ["spanish"],
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
