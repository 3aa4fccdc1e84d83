"""The one exception hierarchy of filmoteca.

    FilmotecaError                 base; `message` is Spanish and shown to users as is
    ├── InputError                 bad input files for the build (missing, wrong columns, unparsable)
    │   └── LiteralParseError      a nested Python-literal / JSON value that does not parse
    ├── CatalogError               the built catalog is missing, corrupt or of another format
    │   └── CatalogMissing         no catalog at the given location
    ├── OutputError                the catalog cannot be written (unwritable place, full disk,
    │                              another build writing the same output)
    ├── NotFound                   a title, person or resource that does not exist (HTTP 404)
    ├── InvalidQuery               a request that cannot be answered as asked (HTTP 422)
    └── ExternalError              a third-party service failed (Kaggle download, ...) (HTTP 502)

The core raises only these; the API maps them to status codes in one handler and the CLI turns
them into a clean message and a non-zero exit code.
"""

from __future__ import annotations

from typing import Any


class FilmotecaError(Exception):
    """Base of every error filmoteca raises on purpose."""

    status_code = 500
    exit_code = 1

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InputError(FilmotecaError):
    """An input file of the build is missing or malformed."""

    status_code = 422
    exit_code = 2


class LiteralParseError(InputError):
    """A nested value (Python literal or JSON) that does not parse."""


class CatalogError(FilmotecaError):
    """The built catalog cannot be used."""

    status_code = 503
    exit_code = 3


class CatalogMissing(CatalogError):
    """There is no catalog at the given location."""


class OutputError(FilmotecaError):
    """The build cannot write its output (exit 6); the previous catalog is left intact."""

    status_code = 500
    exit_code = 6


class NotFound(FilmotecaError):
    """A title, person or resource that does not exist."""

    status_code = 404
    exit_code = 4


class InvalidQuery(FilmotecaError):
    """A query that cannot be answered as asked."""

    status_code = 422
    exit_code = 2


class ExternalError(FilmotecaError):
    """A third-party service (Kaggle, network) failed."""

    status_code = 502
    exit_code = 5
