"""What a report is made of: sections holding figures and tables, each with computed findings."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Image:
    """An encoded image: a data URI plus its pixel size."""

    uri: str
    width: int
    height: int


@dataclass(frozen=True)
class Figura:
    """One figure with its caption (how it was drawn) and findings (computed from the data)."""

    key: str
    title: str
    image: Image
    alt: str
    caption: str
    findings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Tabla:
    """A small HTML table (data quality) with its findings."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    caption: str
    findings: list[str] = field(default_factory=list)
    numeric: frozenset[int] = frozenset()
    """Indices of the columns holding numbers (right-aligned)."""


@dataclass(frozen=True)
class Seccion:
    """One section of the report: a title, an introduction and its figures and tables."""

    key: str
    title: str
    intro: str
    items: list[Figura | Tabla]
