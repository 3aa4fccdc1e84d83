"""Normalisation and Spanish month / weekday parsing."""

from __future__ import annotations

import pytest

from filmoteca.errors import InvalidQuery
from filmoteca.text import MONTHS, WEEKDAYS, normalize, normalize_many, parse_month, parse_weekday


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tom Hanks", "tom hanks"),
        ("  tom   HANKS ", "tom hanks"),
        ("Penélope Cruz", "penelope cruz"),
        ("ÁRBOL DE LA VIDA", "arbol de la vida"),
        ("Schindler\u2019s List", "schindler's list"),
        ("Straße", "strasse"),
        ("tom\thanks\n", "tom hanks"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_folds_case_accents_and_spaces(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_keeps_other_scripts_and_punctuation() -> None:
    assert normalize("宮崎 駿") == "宮崎 駿"
    assert normalize("Face/Off") == "face/off"
    assert normalize("Tom") != normalize("Tom Hanks")


def test_normalize_many_matches_normalize_and_maps_none_to_empty() -> None:
    values = ["Tom Hanks", None, "tom  hanks", "Penélope Cruz", "Tom Hanks"]
    assert normalize_many(values) == ["tom hanks", "", "tom hanks", "penelope cruz", "tom hanks"]


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("enero", 1),
        ("Enero", 1),
        ("SEPTIEMBRE", 9),
        ("setiembre", 9),
        (" diciembre ", 12),
        ("3", 3),
        ("03", 3),
        ("12", 12),
    ],
)
def test_parse_month_accepts_names_in_any_case_and_numbers(raw: str, number: int) -> None:
    assert parse_month(raw) == number


@pytest.mark.parametrize("raw", ["brumario", "13", "0", "", "ene", "january"])
def test_parse_month_rejects_others_listing_valid_values(raw: str) -> None:
    with pytest.raises(InvalidQuery) as info:
        parse_month(raw)
    assert info.value.details["valores_validos"] == list(MONTHS)
    assert "no es un mes válido" in info.value.message


@pytest.mark.parametrize(
    ("raw", "index"),
    [
        ("lunes", 0),
        ("Martes", 1),
        ("miércoles", 2),
        ("miercoles", 2),
        ("MIÉRCOLES", 2),
        ("jueves", 3),
        ("viernes", 4),
        ("sábado", 5),
        ("sabado", 5),
        ("Domingo", 6),
    ],
)
def test_parse_weekday_accepts_names_with_or_without_accents(raw: str, index: int) -> None:
    assert parse_weekday(raw) == index


@pytest.mark.parametrize("raw", ["monday", "1", "lun", "", "feriado"])
def test_parse_weekday_rejects_others_listing_valid_values(raw: str) -> None:
    with pytest.raises(InvalidQuery) as info:
        parse_weekday(raw)
    assert info.value.details["valores_validos"] == list(WEEKDAYS)


def test_meta_keywords_are_recognised_in_any_case() -> None:
    from filmoteca.text import is_meta_keyword

    assert is_meta_keyword("Woman Director")
    assert is_meta_keyword("duringcreditsstinger")
    assert not is_meta_keyword("murder")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Toy\u200b Story", "toy story"),  # ZWSP
        ("\ufeffTom Hanks", "tom hanks"),  # BOM
        ("Tom\u200d Hanks\u200c", "tom hanks"),  # ZWJ, ZWNJ
        ("Amélie\ufe0f", "amelie"),  # VS16
        ("Pe\u00adnélope\u2060 Cruz\u200e", "penelope cruz"),  # soft hyphen, word joiner, LRM
        ("\u200b\u200b", ""),
    ],
)
def test_normalize_drops_invisible_characters(raw: str, expected: str) -> None:
    assert normalize(raw) == expected
    assert normalize_many([raw]) == [expected]
