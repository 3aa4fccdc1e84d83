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

# scikit-learn's ENGLISH_STOP_WORDS (BSD-3-Clause; from the Glasgow Information Retrieval Group)
_ENGLISH_STOP_TEXT = """
    a about above across after afterwards again against all almost alone along already also
    although always am among amongst amoungst amount an and another any anyhow anyone
    anything anyway anywhere are around as at back be became because become becomes becoming
    been before beforehand behind being below beside besides between beyond bill both bottom
    but by call can cannot cant co con could couldnt cry de describe detail do done down due
    during each eg eight either eleven else elsewhere empty enough etc even ever every
    everyone everything everywhere except few fifteen fifty fill find fire first five for
    former formerly forty found four from front full further get give go had has hasnt have
    he hence her here hereafter hereby herein hereupon hers herself him himself his how
    however hundred i ie if in inc indeed interest into is it its itself keep last latter
    latterly least less ltd made many may me meanwhile might mill mine more moreover most
    mostly move much must my myself name namely neither never nevertheless next nine no
    nobody none noone nor not nothing now nowhere of off often on once one only onto or
    other others otherwise our ours ourselves out over own part per perhaps please put
    rather re same see seem seemed seeming seems serious several she should show side since
    sincere six sixty so some somehow someone something sometime sometimes somewhere still
    such system take ten than that the their them themselves then thence there thereafter
    thereby therefore therein thereupon these they thick thin third this those though three
    through throughout thru thus to together too top toward towards twelve twenty two un
    under until up upon us very via was we well were what whatever when whence whenever
    where whereafter whereas whereby wherein whereupon wherever whether which while whither
    who whoever whole whom whose why will with within without would yet you your yours
    yourself yourselves
"""
ENGLISH_STOP_WORDS = frozenset(_ENGLISH_STOP_TEXT.split())
"""English stop words: scikit-learn's list (`sklearn.feature_extraction.text.ENGLISH_STOP_WORDS`,
which the recommender's word counts and the report's word clouds leave out), copied: importing
scikit-learn costs over a second."""

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
