"""Render the report as one self-contained Spanish HTML page (images inline, no scripts)."""

from __future__ import annotations

from html import escape

from .model import Figura, Seccion, Tabla

CSS = """
:root { color-scheme: light; --ink: #1f2328; --muted: #5b636b; --accent: #2f6690; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #f6f7f9; }
header, main, footer { max-width: 980px; margin: 0 auto; padding: 0 20px; }
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
nav { background: #fff; border: 1px solid #e1e4e8; border-radius: 8px; padding: 8px 18px; }
nav ol { margin: .4rem 0; padding-left: 1.2rem; columns: 2; }
figure, .tabla { background: #fff; border: 1px solid #e1e4e8; border-radius: 8px;
                 margin: 1.2rem 0; padding: 16px; }
.tabla { overflow-x: auto; }
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
@media (max-width: 640px) { nav ol { columns: 1; } figure, .tabla { padding: 10px; }
  th, td { padding: 4px 5px; } }
"""


def _findings(findings: list[str]) -> str:
    """The computed findings as a list (or nothing)."""
    if not findings:
        return ""
    items = "".join(f"<li>{escape(f)}</li>" for f in findings)
    return f'<ul class="hallazgos" aria-label="Hallazgos">{items}</ul>'


def figure(item: Figura) -> str:
    """One <figure>: title, inline image, caption (method) and findings."""
    img = item.image
    return (
        f'<figure id="{item.key}" data-figura="{item.key}"><h3>{escape(item.title)}</h3>'
        f'<img src="{img.uri}" width="{img.width}" height="{img.height}" alt="{escape(item.alt)}">'
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
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f'<p class="metodo">{escape(item.caption)}</p>{_findings(item.findings)}</div>'
    )


def section(sec: Seccion) -> str:
    """One <section> with its introduction and items."""
    items = "".join(figure(i) if isinstance(i, Figura) else table(i) for i in sec.items)
    return (
        f'<section id="{sec.key}" data-seccion="{sec.key}"><h2>{escape(sec.title)}</h2>'
        f"<p>{escape(sec.intro)}</p>{items}</section>"
    )


def _nav(sections: list[Seccion]) -> str:
    """Table of contents linking every section."""
    links = "".join(f'<li><a href="#{s.key}">{escape(s.title)}</a></li>' for s in sections)
    return f'<nav aria-label="Índice"><strong>Índice</strong><ol>{links}</ol></nav>'


def page(
    title: str, subtitle: str, facts: list[tuple[str, str]], sections: list[Seccion], footer: str
) -> str:
    """The whole HTML document."""
    cards = "".join(f"<li><b>{escape(v)}</b>{escape(k)}</li>" for k, v in facts)
    body = "".join(section(s) for s in sections)
    return (
        '<!doctype html>\n<html lang="es"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="filmoteca"><title>{escape(title)}</title>'
        f'<link rel="icon" href="data:,"><style>{CSS}</style></head><body>'
        f'<header><h1>{escape(title)}</h1><p class="meta">{escape(subtitle)}</p>'
        f'<ul class="resumen">{cards}</ul>{_nav(sections)}</header>'
        f"<main>{body}</main><footer>{escape(footer)}</footer></body></html>\n"
    )
