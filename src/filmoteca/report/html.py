"""Render the report as one self-contained Spanish HTML page (images inline, no scripts).

Phone first: figures are SVG (text stays text and scales), each opens full size (a CSS
`:target` view, no script), images below the first screen load lazily, the index stays at
the top of the screen and every section ends with a link back to it.
"""

from __future__ import annotations

from html import escape

from .model import Figura, Seccion, Tabla

CSS = """
:root { color-scheme: light; --ink: #1f2328; --muted: #5b636b; --accent: #2f6690; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #f6f7f9; }
header, main, footer { max-width: 980px; margin: 0 auto; padding: 0 20px; }
html { scroll-padding-top: 3.2rem; }
header { padding-top: 28px; }
h1 { font-size: 1.9rem; margin: 0 0 .3rem; }
h2 { font-size: 1.45rem; margin: 2.4rem 0 .4rem; border-bottom: 2px solid var(--accent);
     padding-bottom: .2rem; }
h3 { font-size: 1.1rem; margin: 0 0 .6rem; }
.meta { color: var(--muted); margin: .2rem 0 1rem; }
.resumen { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px;
           margin: 1rem 0; padding: 0; list-style: none; }
.resumen li { background: #fff; border: 1px solid #e1e4e8; border-radius: 8px; padding: 10px 12px; }
.resumen b { display: block; font-size: 1.35rem; color: var(--accent); }
nav { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid #e1e4e8;
      padding: 2px 0; }
nav ol { display: flex; gap: .3rem 1rem; max-width: 980px; margin: 0 auto; padding: 0 20px;
         list-style: none; overflow-x: auto; white-space: nowrap; scrollbar-width: thin; }
nav a { display: inline-block; padding: 6px 2px; }
.arriba { display: inline-block; margin-top: .6rem; font-size: .9rem; }
.ampliar { font-size: .85rem; }
.cerrar { display: none; }
.lienzo:target { position: fixed; inset: 0; z-index: 5; background: #fff; overflow: auto;
                 padding: 12px; }
.lienzo:target img { max-width: none; width: 1100px; }
.lienzo:target .cerrar { display: inline-block; margin-bottom: 8px; font-weight: 600; }
figure, .tabla { background: #fff; border: 1px solid #e1e4e8; border-radius: 8px;
                 margin: 1.2rem 0; padding: 16px; }
.desplazable { overflow-x: auto; }
figure img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { margin-top: .6rem; }
.metodo { color: var(--muted); font-size: .9rem; margin: .2rem 0; }
.hallazgos { margin: .4rem 0 0; padding-left: 1.2rem; }
.hallazgos li { margin: .15rem 0; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e1e4e8;
         vertical-align: top; }
th { background: #f0f3f6; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
footer { color: var(--muted); font-size: .85rem; padding: 2rem 20px 3rem; }
@media (max-width: 640px) { figure, .tabla { padding: 10px; margin: 1rem -10px; }
  h1 { font-size: 1.5rem; } .resumen { grid-template-columns: 1fr 1fr; }
  th, td { padding: 4px 5px; } }
"""


def _findings(findings: list[str]) -> str:
    """The computed findings as a list (or nothing)."""
    if not findings:
        return ""
    items = "".join(f"<li>{escape(f)}</li>" for f in findings)
    return f'<ul class="hallazgos" aria-label="Hallazgos">{items}</ul>'


def figure(item: Figura, lazy: bool = True) -> str:
    """One <figure>: title, inline image (that opens full size), caption and findings."""
    img = item.image
    loading = ' loading="lazy"' if lazy else ""
    return (
        f'<figure id="{item.key}" data-figura="{item.key}"><h3>{escape(item.title)}</h3>'
        f'<div class="lienzo" id="ver-{item.key}"><a class="cerrar" href="#{item.key}">'
        "Cerrar la vista a tamaño completo</a>"
        f'<img src="{img.uri}" width="{img.width}" height="{img.height}" '
        f'alt="{escape(item.alt)}"{loading} decoding="async"></div>'
        f'<a class="ampliar" href="#ver-{item.key}">Ver a tamaño completo</a>'
        f'<figcaption><p class="metodo">{escape(item.caption)}</p>{_findings(item.findings)}'
        "</figcaption></figure>"
    )


def _cell(tag: str, value: str, numeric: bool) -> str:
    """One table cell (th or td), right-aligned when the column holds numbers."""
    css = ' class="num"' if numeric else ""
    return f"<{tag}{css}>{escape(value)}</{tag}>"


def table(item: Tabla) -> str:
    """One data-quality table with its caption and findings."""
    head = "".join(_cell("th", c, i in item.numeric) for i, c in enumerate(item.columns))
    if item.rows:
        body = "".join(
            "<tr>" + "".join(_cell("td", v, i in item.numeric) for i, v in enumerate(row)) + "</tr>"
            for row in item.rows
        )
    else:
        body = f'<tr><td colspan="{len(item.columns)}">Sin filas que mostrar.</td></tr>'
    return (
        f'<div class="tabla" id="{item.key}" data-tabla="{item.key}"><h3>{escape(item.title)}</h3>'
        f'<div class="desplazable" tabindex="0" role="region" aria-label="{escape(item.title)}">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        f'<p class="metodo">{escape(item.caption)}</p>{_findings(item.findings)}</div>'
    )


def section(sec: Seccion, first: bool = False) -> str:
    """One <section> with its introduction, items and a link back to the index."""
    items = "".join(
        figure(i, lazy=not (first and n == 0)) if isinstance(i, Figura) else table(i)
        for n, i in enumerate(sec.items)
    )
    return (
        f'<section id="{sec.key}" data-seccion="{sec.key}"><h2>{escape(sec.title)}</h2>'
        f'<p>{escape(sec.intro)}</p>{items}<a class="arriba" href="#indice">↑ Volver al índice</a>'
        "</section>"
    )


def _nav(sections: list[Seccion]) -> str:
    """Table of contents linking every section."""
    links = "".join(f'<li><a href="#{s.key}">{escape(s.title)}</a></li>' for s in sections)
    return f'<nav id="indice" aria-label="Índice"><ol>{links}</ol></nav>'


def page(
    title: str, subtitle: str, facts: list[tuple[str, str]], sections: list[Seccion], footer: str
) -> str:
    """The whole HTML document."""
    cards = "".join(f"<li><b>{escape(v)}</b>{escape(k)}</li>" for k, v in facts)
    body = "".join(section(s, first=i == 0) for i, s in enumerate(sections))
    return (
        '<!doctype html>\n<html lang="es"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="description" content="Informe exploratorio del catálogo de películas: '
        'distribuciones, relaciones, recuentos, perfil de variables y calidad de los datos.">'
        f'<meta name="generator" content="filmoteca"><title>{escape(title)}</title>'
        f'<link rel="icon" href="data:,"><style>{CSS}</style></head><body>'
        f'<header><h1>{escape(title)}</h1><p class="meta">{escape(subtitle)}</p>'
        f'<ul class="resumen">{cards}</ul></header>{_nav(sections)}'
        f"<main>{body}</main><footer>{escape(footer)}</footer></body></html>\n"
    )
