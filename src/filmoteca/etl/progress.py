"""Progress reporting for long steps, and the closing summary table (rich)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table


class ProgressSink(Protocol):
    """Where the build reports its steps; the core knows nothing more of the terminal."""

    def start(self, key: str, description: str, total: int | None) -> None:
        """A step begins; `total` units of work (None: unknown)."""

    def advance(self, key: str, amount: int) -> None:
        """`amount` more units of a step are done."""


class NullProgress:
    """Reports nothing."""

    def start(self, key: str, description: str, total: int | None) -> None:
        """Ignore."""

    def advance(self, key: str, amount: int) -> None:
        """Ignore."""


class RichProgress:
    """A ProgressSink drawing rich progress bars."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, Any] = {}

    def start(self, key: str, description: str, total: int | None) -> None:
        """Add a bar."""
        self._tasks[key] = self._progress.add_task(description, total=total)

    def advance(self, key: str, amount: int) -> None:
        """Move a bar."""
        self._progress.advance(self._tasks[key], amount)


@contextmanager
def rich_progress(console: Console) -> Iterator[RichProgress]:
    """Progress bars on `console` for the duration of the block."""
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        yield RichProgress(progress)


def print_summary(console: Console, manifest: dict[str, Any], output: Any) -> None:
    """The closing table: read / kept / dropped by reason, per input."""
    table = Table(title="Resumen de la construcción", show_lines=False)
    for col in ("Entrada", "Leídas", "Conservadas", "Descartadas", "Motivo"):
        table.add_column(
            col, justify="right" if col in ("Leídas", "Conservadas", "Descartadas") else "left"
        )
    for step, info in manifest["steps"].items():
        table.add_row(step, f"{info['read']:,}", f"{info['kept']:,}", "", "")
        for reason in info["dropped"].values():
            table.add_row("", "", "", f"{reason['rows']:,}", reason["motivo"])
    console.print(table)
    notes = [f"{w['rows']:,} {w['motivo']}" for w in manifest["warnings"].values() if w["rows"]]
    if notes:
        console.print("Avisos: " + "; ".join(notes), highlight=False)
    rows = ", ".join(f"{name} {info['rows']:,}" for name, info in manifest["tables"].items())
    console.print(f"Tablas: {rows}", highlight=False)
    if manifest["source"]["demo"]:
        console.print(
            "[bold yellow]Este es el catálogo de DEMOSTRACIÓN[/] (películas inventadas). Para el "
            "catálogo real descargue «The Movies Dataset» de Kaggle "
            "(rounakbanik/the-movies-dataset), p. ej. con 'filmoteca download', y ejecute "
            "'filmoteca build --input CARPETA'."
        )
    console.print(
        f"Catálogo versión {manifest['version']} escrito en '{output}' "
        f"en {manifest['build_seconds']:.1f} s.",
        highlight=False,
    )
