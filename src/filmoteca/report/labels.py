"""Spanish labels for the report: number formats, genre / country / language names, calendar."""

from __future__ import annotations

import math

from .. import formats
from ..text import MONTHS, WEEKDAYS

__all__ = ["MONTHS", "WEEKDAYS"]


GENRES = {
    "Action": "Acción",
    "Adventure": "Aventura",
    "Animation": "Animación",
    "Comedy": "Comedia",
    "Crime": "Crimen",
    "Documentary": "Documental",
    "Drama": "Drama",
    "Family": "Familiar",
    "Fantasy": "Fantasía",
    "Foreign": "Extranjera",
    "History": "Historia",
    "Horror": "Terror",
    "Music": "Música",
    "Mystery": "Misterio",
    "Romance": "Romance",
    "Science Fiction": "Ciencia ficción",
    "TV Movie": "Película de TV",
    "Thriller": "Suspense",
    "War": "Bélica",
    "Western": "Wéstern",
}

COUNTRIES = {
    "AR": "Argentina", "AT": "Austria", "AU": "Australia", "BE": "Bélgica", "BR": "Brasil",
    "CA": "Canadá", "CH": "Suiza", "CL": "Chile", "CN": "China", "CO": "Colombia",
    "CZ": "Chequia", "DE": "Alemania", "DK": "Dinamarca", "EG": "Egipto", "ES": "España",
    "FI": "Finlandia", "FR": "Francia", "GB": "Reino Unido", "GR": "Grecia", "HK": "Hong Kong",
    "HU": "Hungría", "IE": "Irlanda", "IL": "Israel", "IN": "India", "IR": "Irán",
    "IS": "Islandia", "IT": "Italia", "JP": "Japón", "KR": "Corea del Sur", "LU": "Luxemburgo",
    "MX": "México", "NL": "Países Bajos", "NO": "Noruega", "NZ": "Nueva Zelanda", "PE": "Perú",
    "PH": "Filipinas", "PL": "Polonia", "PT": "Portugal", "RO": "Rumanía", "RU": "Rusia",
    "SE": "Suecia", "SU": "Unión Soviética", "TH": "Tailandia", "TR": "Turquía", "TW": "Taiwán",
    "UA": "Ucrania", "US": "Estados Unidos", "XC": "Checoslovaquia", "YU": "Yugoslavia",
    "ZA": "Sudáfrica", "AE": "Emiratos Árabes Unidos", "BG": "Bulgaria", "CU": "Cuba",
    "SG": "Singapur", "MA": "Marruecos", "VE": "Venezuela", "UY": "Uruguay", "ID": "Indonesia",
}  # fmt: skip

LANGUAGES = {
    "ar": "árabe", "bn": "bengalí", "ca": "catalán", "cn": "cantonés", "cs": "checo",
    "da": "danés", "de": "alemán", "el": "griego", "en": "inglés", "es": "español",
    "et": "estonio", "fa": "persa", "fi": "finés", "fr": "francés", "he": "hebreo",
    "hi": "hindi", "hu": "húngaro", "id": "indonesio", "is": "islandés", "it": "italiano",
    "ja": "japonés", "ko": "coreano", "ml": "malayalam", "nb": "noruego bokmål",
    "nl": "neerlandés", "no": "noruego", "pl": "polaco", "pt": "portugués", "ro": "rumano",
    "ru": "ruso", "sr": "serbio", "sv": "sueco", "ta": "tamil", "te": "telugu", "th": "tailandés",
    "tl": "tagalo", "tr": "turco", "uk": "ucraniano", "ur": "urdu", "vi": "vietnamita",
    "xx": "sin idioma", "zh": "chino", "af": "afrikáans", "eu": "euskera", "gl": "gallego",
}  # fmt: skip


def genre_es(name: str) -> str:
    """Spanish name of a TMDB genre (the original name when unknown)."""
    return GENRES.get(name, name)


def country_es(code: str | None, name: str | None) -> str:
    """Spanish name of a country by ISO 3166-1 code, else the catalog's name."""
    return COUNTRIES.get(code or "", name or code or "desconocido")


def language_es(code: str | None) -> str:
    """Spanish name of a language by ISO 639-1 code, else the code itself."""
    if not code:
        return "desconocido"
    return LANGUAGES.get(code, code)


def num(value: float, decimals: int = 0) -> str:
    """A number in Spanish notation: '.' for thousands, ',' for decimals (45.466; 6,3)."""
    return formats.decimal(value, decimals)


def pct(share: float, decimals: int = 1) -> str:
    """A share in [0, 1] as a Spanish percentage ('12,5 %'), never rounded to 0 or 100 %."""
    step = 10.0**-decimals
    if 0 < 100 * share < step:
        return f"< {num(step, decimals)} %"
    if 100 - step < 100 * share < 100:
        return f"> {num(100 - step, decimals)} %"
    return f"{num(100 * share, decimals)} %"


def plural(n: float, singular: str, plural_form: str) -> str:
    """'1 fila', '3 filas': a count with the noun in the right number."""
    return f"{num(n)} {singular if n == 1 else plural_form}"


def capitalize(text: str) -> str:
    """Upper-case the first letter only ('inglés' -> 'Inglés')."""
    return text[:1].upper() + text[1:]


def sig(value: float, digits: int = 2) -> str:
    """A positive number with about `digits` significant figures (0,00012; 3,4; 1.234)."""
    if value <= 0 or value >= 10 ** (digits - 1):
        return num(value)
    return num(value, digits - 1 - math.floor(math.log10(value)))


def money(value: float) -> str:
    """US dollars in the shared short form (850.000 US$, 15 M US$, 2.787,9 M US$)."""
    return formats.money(value)


def money_tick(value: float, _pos: object = None) -> str:
    """Compact tick label for a dollar axis on a log scale."""
    if value >= 1e6:
        return f"{num(value / 1e6)} M US$"
    return f"{num(value)} US$"


def count_tick(value: float, _pos: object = None) -> str:
    """Tick label for counts and indices with Spanish separators (0,01; 1; 1.000)."""
    if value >= 1 or value <= 0:
        return num(value)
    return num(value, -math.floor(math.log10(value) + 1e-9))


def ratio_tick(value: float, _pos: object = None) -> str:
    """Tick label for a revenue/budget ratio on a log scale (0,01×, 1×, 100×)."""
    if value >= 1 or value <= 0:
        return f"{num(value)}×"
    return f"{num(value, -math.floor(math.log10(value) + 1e-9))}×"
