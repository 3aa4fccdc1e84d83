"""The `filmoteca` command: thin commands over the core (ETL, catalog, recommender, report)."""

from __future__ import annotations

import functools
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from . import __version__, clitext
from .config import Settings
from .errors import FilmotecaError, InputError

clitext.install()  # Click's own texts in Spanish; before any option type is created

F = TypeVar("F", bound=Callable[..., Any])

console = Console(stderr=True)


def handle_errors(func: F) -> F:
    """Turn FilmotecaError into a clean Spanish message and its exit code (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FilmotecaError as exc:
            console.print(f"[bold red]Error:[/] {exc.message}", highlight=False)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            console.print("[bold red]Interrumpido.[/]")
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


CATALOG_HELP = "Carpeta del catálogo construido (por defecto FILMOTECA_CATALOG_DIR, 'catalogo')."


def es_number(value: float) -> str:
    """An integer formatted as in the report (es-ES): 4.802."""
    return f"{round(value):,}".replace(",", ".")


class Option(click.Option):
    """An option whose old spellings (`aliases`) still work but are not shown in --help."""

    def __init__(self, *args: Any, aliases: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aliases = aliases

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        """The help line, without the hidden aliases."""
        shown = self.opts
        self.opts = [name for name in shown if name not in self.aliases]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = shown


def flag(name: str, *aliases: str, help: str) -> Callable[[F], F]:
    """A --flag (English canonical name) with hidden old spellings."""
    dest = name.lstrip("-").replace("-", "_")
    return click.option(name, *aliases, dest, cls=Option, aliases=aliases, is_flag=True, help=help)


def path_option(*names: str, help: str, required: bool = False) -> Callable[[F], F]:
    """A --option taking a path (None when not given)."""
    return click.option(
        *names,
        type=click.Path(path_type=Path),
        required=required,  # no explicit default=None: Click 8.5 would take it as a value
        metavar="RUTA",
        help=help,
    )


def _build_with_progress(input_dir: Path | None, output: Path, **options: Any) -> None:
    """Run the catalog build with progress bars and print its summary table."""
    require_build_tools()
    from .etl.pipeline import build_catalog
    from .etl.progress import print_summary, rich_progress

    with rich_progress(console) as progress:
        summary = build_catalog(input_dir, output, progress=progress, **options)
    print_summary(console, summary.manifest, summary.output)


class SpanishHelp:
    """Mixin: the built-in --help option and the usage line's placeholders in Spanish."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPCIONES]")
        if isinstance(self, click.Group):
            kwargs.setdefault("subcommand_metavar", "COMANDO [ARGUMENTOS]...")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """click's help option, with a Spanish description."""
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = "Muestra esta ayuda y termina."
        return option  # type: ignore[no-any-return]


class Command(SpanishHelp, click.Command):
    """A command whose --help is described in Spanish."""


class Group(SpanishHelp, click.Group):
    """The command group; its commands describe --help in Spanish too."""

    command_class = Command


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__,
    prog_name="filmoteca",
    message="%(prog)s %(version)s",
    help="Muestra la versión y termina.",
)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """filmoteca: catálogo de películas limpio, API en español, recomendador e informe EDA."""
    ctx.obj = Settings()


@cli.command()
@path_option(
    "--input",
    "input_dir",
    help="Carpeta con movies_metadata.csv (o movies_dataset.csv), credits.csv y, si lo hay, "
    "keywords.csv; o el par tmdb_5000_movies.csv / tmdb_5000_credits.csv. "
    "Sin ella se construye el catálogo de demostración incluido.",
)
@path_option(
    "--output",
    "output_dir",
    help="Carpeta del catálogo a escribir (por defecto FILMOTECA_CATALOG_DIR, 'catalogo').",
)
@path_option(
    "--keywords",
    "keywords",
    help="Un keywords.csv que no está en la carpeta de entrada (p. ej. ../shared/data/raw/keywords.csv).",
)
@path_option(
    "--ratings",
    "ratings",
    help="Valoraciones de MovieLens (userId,movieId,rating,timestamp; p. ej. ratings.csv): el "
    "recomendador aprende también de lo que gustó. Sin ellas, solo usa el contenido.",
)
@path_option(
    "--links",
    "links",
    help="links.csv (movieId,imdbId,tmdbId) de las valoraciones; por defecto, el links.csv "
    "que está junto al archivo de --ratings.",
)
@flag("--no-recommender", "--sin-recomendador", help="No ajustar el recomendador.")
@click.pass_obj
@handle_errors
def build(
    settings: Settings,
    input_dir: Path | None,
    output_dir: Path | None,
    keywords: Path | None,
    ratings: Path | None,
    links: Path | None,
    no_recommender: bool,
) -> None:
    """Construye el catálogo (Parquet + manifest.json) a partir de los CSV de Kaggle."""
    _build_with_progress(
        input_dir,
        output_dir or settings.catalog_dir,
        fit_recommender=not no_recommender,
        keywords=keywords,
        ratings=ratings,
        links=links,
    )


@cli.command()
@path_option(
    "--output",
    "output_dir",
    required=True,
    help="Carpeta donde dejar movies_metadata.csv, credits.csv y keywords.csv.",
)
@flag("--force", "--forzar", help="Descargar de nuevo aunque estén en la caché.")
@handle_errors
def download(output_dir: Path, force: bool) -> None:
    """Descarga The Movies Dataset de Kaggle (necesita red y credenciales de Kaggle)."""
    from .download import DATASET, download_dataset

    console.print(f"Descargando '{DATASET}' de Kaggle...", highlight=False)
    for item in download_dataset(output_dir, force=force):
        console.print(f"  {item.name}: {es_number(item.bytes)} bytes", highlight=False)
    console.print(f"Listo. Siguiente paso: filmoteca build --input {output_dir}", highlight=False)


@cli.command()
@path_option("--catalog", "catalog_dir", help=CATALOG_HELP)
@path_option(
    "--output",
    "output_dir",
    help="Carpeta donde escribir index.html (por defecto FILMOTECA_REPORT_DIR, 'informe').",
)
@click.pass_obj
@handle_errors
def report(settings: Settings, catalog_dir: Path | None, output_dir: Path | None) -> None:
    """Genera el informe exploratorio del catálogo: un HTML autocontenido en español."""
    from .report import build_report
    from .report.progress import print_summary, rich_progress

    with rich_progress(console) as progress:
        summary = build_report(
            catalog_dir or settings.catalog_dir, output_dir or settings.report_dir, progress
        )
    print_summary(console, summary)


@cli.command()
@path_option(
    "--catalog",
    "catalog_dir",
    help="Carpeta del catálogo a servir. Por defecto FILMOTECA_CATALOG_DIR ('catalogo'); "
    "si ahí no hay catálogo, antes se construye el de demostración.",
)
@click.option(
    "--host",
    default=None,
    metavar="DIRECCIÓN",
    help="Dirección de escucha (por defecto 127.0.0.1).",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    metavar="PUERTO",
    help="Puerto, de 1 a 65535 (por defecto FILMOTECA_PORT, 8000).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=None,
    metavar="N",
    help="Procesos, de 1 a 32 (por defecto 1).",
)
@flag("--access-log", "--log-accesos", help="Una línea de log por petición (más lento).")
@click.pass_obj
@handle_errors
def serve(
    settings: Settings,
    catalog_dir: Path | None,
    host: str | None,
    port: int | None,
    workers: int | None,
    access_log: bool,
) -> None:
    """Sirve la API HTTP en español sobre el catálogo (documentación en /docs)."""
    # The server reads no Parquet and imports no pyarrow (see `mapped`); but when it first
    # builds the demo catalog, Arrow's system allocator gives that build's memory back.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    from .api.server import needs_demo, run

    host, port = host or settings.host, port or settings.port
    check_port_free(host, port)
    if needs_demo(catalog_dir, settings):
        require_build_tools(f"No hay catálogo en '{settings.catalog_dir}' y esta instalación")
        console.print(
            f"No hay catálogo en '{settings.catalog_dir}': se construye el de demostración.",
            highlight=False,
        )
        _build_with_progress(None, settings.catalog_dir)
    # Start-up makes only long-lived objects (modules, routes, the catalog's indexes): the
    # cyclic collector is paused until the app's lifespan freezes them and resumes it
    # (`api.app.lifespan`; measured, 0.14 s less CPU before the first answer).
    gc.disable()
    run(
        catalog_dir or settings.catalog_dir,
        host,
        port,
        workers or settings.workers,
        access_log=access_log,
    )


def check_port_free(host: str, port: int) -> None:
    """A clear Spanish error (exit 2) when host:port is already taken, before uvicorn tries."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(f"No se reconoce la dirección '{host}' (--host): {exc.strerror}.") from exc
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(
                    f"El puerto {port} ya está en uso en {host}. Elija otro con --port "
                    f"(p. ej. 'filmoteca serve --port {port + 1}' o 'make serve PORT={port + 1}')."
                ) from exc
            raise InputError(f"No se puede escuchar en {host}:{port}: {exc.strerror}.") from exc


def require_build_tools(subject: str = "Esta instalación") -> None:
    """Building needs pandas and pyarrow, which a serving-only install leaves out."""
    import importlib.util

    missing = [name for name in ("pandas", "pyarrow") if importlib.util.find_spec(name) is None]
    if missing:
        raise InputError(
            f"{subject} solo sirve catálogos ya construidos (faltan {' y '.join(missing)}). "
            "Construya el catálogo con una instalación completa ('pip install filmoteca'; "
            "después 'filmoteca build --output catalogo') y sírvalo aquí con "
            "'filmoteca serve --catalog catalogo'."
        )


@cli.command()
@path_option("--catalog", "catalog_dir", help=CATALOG_HELP)
@path_option("--ratings", help="ratings_small.csv de MovieLens (por defecto el de <datos>/raw).")
@path_option(
    "--links-small", help="links_small.csv (MovieLens -> TMDB; por defecto el de <datos>/raw)."
)
@path_option("--links", help="links.csv, para los ids que no están en links_small.csv.")
@path_option("--output", "output_path", help="Archivo JSON donde guardar los resultados.")
@click.pass_obj
@handle_errors
def evaluate(
    settings: Settings,
    catalog_dir: Path | None,
    ratings: Path | None,
    links_small: Path | None,
    links: Path | None,
    output_path: Path | None,
) -> None:
    """Evalúa el recomendador con las valoraciones de MovieLens (tabla Markdown y JSON)."""
    import json

    from .evaluation import evaluate as run_evaluation
    from .evaluation import to_markdown

    if settings.data_dir is None and None in (ratings, links_small, links):
        raise InputError(
            "No se encuentran los datos de MovieLens: defina FILMOTECA_DATA_DIR (la carpeta con "
            "raw/ratings_small.csv, raw/links_small.csv y raw/links.csv) o indíquelos con "
            "--ratings, --links-small y --links."
        )
    raw = settings.data_dir / "raw" if settings.data_dir else Path("raw")
    result = run_evaluation(
        catalog_dir or settings.catalog_dir,
        ratings or raw / "ratings_small.csv",
        links_small or raw / "links_small.csv",
        links or raw / "links.csv",
    )
    click.echo(to_markdown(result))
    if output_path is not None:
        output_path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        console.print(f"Resultados guardados en '{output_path}'.", highlight=False)


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="filmoteca")


if __name__ == "__main__":
    main()
