"""Word clouds of overviews, keywords and titles, with English and Spanish stop words removed."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from random import Random
from typing import Any

import matplotlib as mpl
from wordcloud import STOPWORDS, WordCloud

from ..text import ENGLISH_STOP_WORDS, is_meta_keyword
from .data import ReportData
from .labels import num, pct
from .model import Figura
from .plots import canvas, empty, encode, webp_image

WIDTH, HEIGHT = 640, 320
MAX_WORDS = 120
PLACEHOLDER_OVERVIEWS = {"no overview found.", "no overview", "no overview yet."}

_SPANISH = """
a acá ahí al algo algunas algunos allí ante antes aquel aquella aquellas aquellos aquí así
aún bajo bien cada casi como con contra cual cuales cuando cuanto de del desde donde dos
durante el él ella ellas ello ellos en entre era erais eran eras eres es esa esas ese eso
esos esta está estaba estaban estado están estar estas este esto estos estoy fue fueron fui
ha había habían han has hasta hay he la las le les lo los más me mi mí mis mucho muchos muy
nada ni no nos nosotros nuestra nuestro o os otra otras otro otros para pero poco por porque
que qué quien quién se sea ser si sí sido sin sino sobre sois solo son soy su sus también
tan te tenía tener tengo ti tiene tienen todo todos tu tú tus un una uno unos usted ustedes
vosotros y ya yo cómo dónde cuándo cuál mientras tras hacia según luego pues vez veces
"""
SPANISH_STOPWORDS = frozenset(_SPANISH.split())
"""Common Spanish function words (articles, pronouns, prepositions, auxiliaries)."""

STOPWORDS_EN_ES = frozenset(w.lower() for w in STOPWORDS) | ENGLISH_STOP_WORDS | SPANISH_STOPWORDS
"""English (wordcloud's and scikit-learn's lists) and Spanish stop words."""
_WORD = re.compile(r"[a-zà-öø-ÿ]+(?:'[a-z]+)?")


def tokens(texts: Iterable[str]) -> Counter[str]:
    """Count lower-case Latin-script words of 3+ letters that are not stop words."""
    text = "\n".join(texts).lower().replace("’", "'")
    counts: Counter[str] = Counter()
    for raw, n in Counter(_WORD.findall(text)).items():  # filter distinct words, not tokens
        word = raw[:-2] if raw.endswith("'s") else raw
        if len(word) >= 3 and word not in STOPWORDS_EN_ES:
            counts[word] += n
    return counts


def _color(
    word: str,
    font_size: int,
    position: Any,
    orientation: Any,
    random_state: Random | None = None,
    **kwargs: Any,
) -> str:
    """Color by size from a dark blue-green ramp (large words darker)."""
    ramp = mpl.colormaps["viridis"]
    r, g, b, _ = ramp(max(0.0, 0.85 - font_size / 110))
    return f"rgb({int(r * 255)}, {int(g * 255)}, {int(b * 255)})"


def cloud(frequencies: Counter[str]) -> Any:
    """Render a word cloud image (PIL) from word frequencies, deterministically."""
    font = str(mpl.get_data_path()) + "/fonts/ttf/DejaVuSans.ttf"
    wc = WordCloud(
        width=WIDTH,
        height=HEIGHT,
        max_words=MAX_WORDS,
        background_color="white",
        color_func=_color,
        random_state=7,
        font_path=font,
        prefer_horizontal=0.95,
        collocations=False,
        relative_scaling=0.5,
    )
    return wc.generate_from_frequencies(dict(frequencies.most_common(MAX_WORDS))).to_image()


def _figure(
    key: str, title: str, counts: Counter[str], caption: str, lead: str, missing: str
) -> Figura:
    """Word cloud figure with the top words as findings."""
    if counts:
        image = webp_image(cloud(counts), WIDTH, HEIGHT)
        top = ", ".join(f"«{w}» ({num(c)})" for w, c in counts.most_common(5))
        findings = [f"{lead} Las más frecuentes: {top}."]
    else:
        with canvas((8.0, 1.6)) as (fig, ax):
            findings = empty(ax, missing)
        image = encode(fig)
    return Figura(key, title, image, f"Nube de palabras: {title.lower()}", caption, findings)


def overviews(d: ReportData) -> Figura:
    """Word cloud of the plot summaries."""
    texts = d.movies["overview"].dropna().astype(str).str.strip()
    texts = texts[(texts != "") & ~texts.str.lower().isin(PLACEHOLDER_OVERVIEWS)]
    counts = tokens(texts)
    return _figure(
        "nube-sinopsis",
        "Sinopsis",
        counts,
        "Palabras de las sinopsis, sin las palabras vacías del inglés (listas de wordcloud y "
        "scikit-learn) y del español, "
        "sin números y con al menos 3 letras; se ignoran las sinopsis vacías o de "
        "relleno («No overview found.»).",
        f"Hay sinopsis útil en {num(len(texts))} películas ({pct(len(texts) / d.n)}); "
        f"suman {num(sum(counts.values()))} palabras con significado.",
        "Ninguna película tiene una sinopsis útil con la que hacer la nube.",
    )


def keywords(d: ReportData) -> Figura:
    """Word cloud of TMDB keywords (each keyword counted once per movie)."""
    links = d.keywords.dropna(subset=["name"]).drop_duplicates(["movie_id", "name"])
    meta = links["name"].map(is_meta_keyword).astype(bool)
    topical = links.loc[~meta]
    counts: Counter[str] = Counter(topical["name"].str.lower().value_counts().to_dict())
    covered = links["movie_id"].nunique()
    return _figure(
        "nube-palabras-clave",
        "Palabras clave",
        counts,
        "Cada palabra clave de TMDB (que puede tener varias palabras) cuenta una vez por película. "
        f"Se excluyen las etiquetas de producción o estreno (p. ej. «woman director», "
        f"«duringcreditsstinger»): {num(int(meta.sum()))} usos.",
        f"{num(covered)} películas ({pct(covered / d.n)}) tienen palabras clave, "
        f"{num(len(counts))} distintas.",
        "Este catálogo no tiene palabras clave (se construyó sin keywords.csv).",
    )


def titles(d: ReportData) -> Figura:
    """Word cloud of the words in titles."""
    texts = d.movies["title"].dropna().astype(str)
    counts = tokens(texts)
    return _figure(
        "nube-titulos",
        "Títulos",
        counts,
        "Palabras de los títulos, sin las palabras vacías del inglés y del español y "
        "con al menos 3 letras (se omiten las escrituras no latinas).",
        f"Los {num(len(texts))} títulos aportan {num(len(counts))} palabras distintas.",
        "Los títulos no tienen palabras (de 3 letras o más, en escritura latina) que contar.",
    )


WORDS = (overviews, keywords, titles)
