"""Rich progress bar and closing summary for the `filmoteca report` command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .build import Progress as ProgressCallback
from .build import ReportSummary
from .labels import num


@contextmanager
def rich_progress(console: Console) -> Iterator[ProgressCallback]:
    """A progress callback drawing one bar over the report's figures and tables."""
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("Informe", total=None)

        def update(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        yield update


def print_summary(console: Console, summary: ReportSummary) -> None:
    """Where the report is, what it holds and how long each part took."""
    table = Table(title="Tiempo por sección", title_justify="left")
    table.add_column("Sección")
    table.add_column("Segundos", justify="right")
    for name, seconds in summary.timings.items():
        table.add_row(name, num(seconds, 2))
    console.print(table)
    console.print(
        f"[bold green]Informe escrito en[/] {summary.path} ({summary.figures} figuras, "
        f"{summary.tables} tablas, {num(summary.bytes / 1e6, 1)} MB, {num(summary.movies)} "
        f"películas) en {num(summary.seconds, 1)} s.",
        highlight=False,
    )
