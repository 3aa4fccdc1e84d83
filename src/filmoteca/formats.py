"""Spanish (es-ES) formats shared by the report and the web page (app.js has the same rules).

count(4802)            '4.802'
decimal(7.25)          '7,3'          decimal(1234.5, 2) -> '1.234,50'
money(12_345_678)      '12,3 M US$'   money(850_000) -> '850.000 US$'
date('2026-12-02')     '2 dic 2026'   (a date, a datetime or an ISO string)
"""

from __future__ import annotations

import datetime as dt
import math

SHORT_MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic")


def decimal(value: float, decimals: int = 1) -> str:
    """A number with '.' for thousands and ',' for decimals ('—' for a missing value)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    rounded = round(float(value), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    text = f"{rounded:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def count(value: float) -> str:
    """A whole number with '.' for thousands (4.802)."""
    return decimal(value, 0)


def money(value: float) -> str:
    """US dollars: '850.000 US$' under a million, '12,3 M US$' from a million (billions too)."""
    sign, size = ("−" if value < 0 else ""), abs(float(value))
    if size >= 1e6:
        return f"{sign}{decimal(size / 1e6, 1).removesuffix(',0')} M US$"
    return f"{sign}{count(size)} US$"


def date(value: dt.date | str | None) -> str:
    """'2 dic 2026' from a date, a datetime or an ISO date / date-time string."""
    if value is None or value == "":
        return "sin fecha"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.day} {SHORT_MONTHS[value.month - 1]} {value.year}"
