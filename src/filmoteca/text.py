"""Text helpers shared by the catalog, the API and the web page.

`normalize` is the one definition of "the same name": case, accents, typographic quotes,
invisible characters (zero-width spaces and joiners, BOM, variation selectors, soft hyphens,
direction marks: Unicode's format characters) and repeated, leading or trailing spaces do not
matter; nothing else is folded (no substring or fuzzy matching here). The build indexes titles
and names with it, so a title stored with a zero-width space matches one typed without. Spanish month and weekday names are parsed with it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from .errors import InvalidQuery

MONTHS: tuple[str, ...] = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
WEEKDAYS: tuple[str, ...] = (
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
)

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u00b4": "'", "\u201c": '"', "\u201d": '"'})


def normalize(text: str) -> str:
    """Fold case and accents, drop invisible characters and collapse whitespace:
    'Ámbar  GARCÍA ' -> 'ambar garcia', 'Toy\u200bStory' -> 'toystory'."""
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    bare = "".join(ch for ch in decomposed if not _invisible(ch))
    return " ".join(bare.casefold().split())


def _invisible(ch: str) -> bool:
    """A combining accent, a format character (Cf: ZWSP U+200B, ZWNJ, ZWJ U+200D, BOM U+FEFF,
    soft hyphen, word joiner, direction marks...) or a variation selector (VS16 U+FE0F)."""
    return (
        bool(unicodedata.combining(ch))
        or unicodedata.category(ch) == "Cf"
        or "\ufe00" <= ch <= "\ufe0f"
        or "\U000e0100" <= ch <= "\U000e01ef"
    )


def normalize_many(values: Iterable[str | None]) -> list[str]:
    """Normalise many strings (None becomes ''), computing each distinct value once."""
    seen: dict[str | None, str] = {}
    out: list[str] = []
    for value in values:
        key = seen.get(value)
        if key is None:
            key = seen[value] = normalize(value) if value is not None else ""
        out.append(key)
    return out


def _month_aliases() -> dict[str, int]:
    aliases = {normalize(name): number for number, name in enumerate(MONTHS, start=1)}
    aliases["setiembre"] = 9
    for number in range(1, 13):
        aliases[str(number)] = number
        aliases[f"{number:02d}"] = number
    return aliases


_MONTH_ALIASES = _month_aliases()
_WEEKDAY_ALIASES = {normalize(name): index for index, name in enumerate(WEEKDAYS)}


def parse_month(value: str) -> int:
    """Month number 1-12 from a Spanish name (any case, accents optional) or '1'..'12'."""
    number = _MONTH_ALIASES.get(normalize(value))
    if number is None:
        raise InvalidQuery(
            f"'{value}' no es un mes válido. Use el nombre de un mes en español "
            f"({', '.join(MONTHS)}) o su número del 1 al 12.",
            valores_validos=list(MONTHS),
        )
    return number


def parse_weekday(value: str) -> int:
    """Weekday index (lunes = 0 ... domingo = 6) from a Spanish name, any case, accents optional."""
    index = _WEEKDAY_ALIASES.get(normalize(value))
    if index is None:
        raise InvalidQuery(
            f"'{value}' no es un día de la semana válido. Use uno de: {', '.join(WEEKDAYS)}.",
            valores_validos=list(WEEKDAYS),
        )
    return index


META_KEYWORDS = frozenset(
    {
        "woman director",
        "independent film",
        "duringcreditsstinger",
        "aftercreditsstinger",
        "3d",
        "imax",
        "short",
        "silent film",
        "black and white",
        "female director",
        "no opening credits",
    }
)
"""TMDB keywords that describe how a film was made or released, not what it is about.

They are dropped from word clouds and are never shown as a recommendation reason.
"""


def is_meta_keyword(name: str) -> bool:
    """Whether a TMDB keyword is a production/release tag (see META_KEYWORDS)."""
    return normalize(name) in _META_NORMALIZED


_META_NORMALIZED = frozenset(normalize(name) for name in META_KEYWORDS)
