"""Progress reporting for long steps, and the closing summary table (rich).

Numbers are written the Spanish way: 4.803 rows, 17,1 s, 34,2 MB.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text


class ProgressSink(Protocol):
    """Where the build reports its steps; the core knows nothing more of the terminal."""

    def start(self, key: str, description: str, total: int | None) -> None:
        """A step begins; `total` units of work (bytes of a file; None: unknown)."""

    def advance(self, key: str, amount: int) -> None:
        """`amount` more units of a step are done."""

    def finish(self, key: str) -> None:
        """A step is done (all of its units)."""


class NullProgress:
    """Reports nothing."""

    def start(self, key: str, description: str, total: int | None) -> None:
        """Ignore."""

    def advance(self, key: str, amount: int) -> None:
        """Ignore."""

    def finish(self, key: str) -> None:
        """Ignore."""


def number(value: float, decimals: int = 0) -> str:
    """A number in Spanish notation: '.' for thousands, ',' for decimals (4.803; 17,1)."""
    text = f"{round(float(value), decimals) + 0.0:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


class MegabytesColumn(ProgressColumn):
    """'12,5/34,2 MB' for a task counted in bytes (nothing for the others)."""

    def render(self, task: Task) -> Text:
        """The column's text for one task."""
        if task.total is None or not task.fields.get("bytes"):
            return Text("")
        done, total = min(task.completed, task.total) / 1e6, task.total / 1e6
        return Text(f"{number(done, 1)}/{number(total, 1)} MB", style="progress.download")


class RichProgress:
    """A ProgressSink drawing rich progress bars."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, Any] = {}

    def start(self, key: str, description: str, total: int | None) -> None:
        """Add a bar."""
        self._tasks[key] = self._progress.add_task(
            description, total=total, bytes=total is not None
        )

    def advance(self, key: str, amount: int) -> None:
        """Move a bar."""
        self._progress.advance(self._tasks[key], amount)

    def finish(self, key: str) -> None:
        """Fill a bar and stop its clock."""
        task = self._tasks[key]
        total = self._progress.tasks[task].total
        self._progress.update(task, total=total or 1, completed=total or 1)
        self._progress.stop_task(task)


@contextmanager
def rich_progress(console: Console) -> Iterator[RichProgress]:
    """Progress bars on `console` for the duration of the block."""
    columns = (
        SpinnerColumn(finished_text="✓"),
        TextColumn("{task.description}"),
        BarColumn(),
        MegabytesColumn(),
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
        table.add_row(step, number(info["read"]), number(info["kept"]), "", "")
        for reason in info["dropped"].values():
            table.add_row("", "", "", number(reason["rows"]), reason["motivo"])
    console.print(table)
    notes = [
        f"{number(w['rows'])} {w['motivo']}" for w in manifest["warnings"].values() if w["rows"]
    ]
    if notes:
        console.print("Avisos: " + "; ".join(notes), highlight=False)
    rows = ", ".join(f"{name} {number(info['rows'])}" for name, info in manifest["tables"].items())
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
        f"en {number(manifest['build_seconds'], 1)} s.",
        highlight=False,
    )
