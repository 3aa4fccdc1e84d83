"""The build's progress bars and closing summary: right totals, Spanish numbers."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from filmoteca.etl.pipeline import build_catalog
from filmoteca.etl.progress import number, print_summary, rich_progress

FIXTURES = Path(__file__).parent / "fixtures"


class Recorder:
    """A ProgressSink that remembers every call."""

    def __init__(self) -> None:
        self.totals: dict[str, int | None] = {}
        self.done: dict[str, int] = {}
        self.finished: list[str] = []

    def start(self, key: str, description: str, total: int | None) -> None:
        self.totals[key] = total
        self.done[key] = 0

    def advance(self, key: str, amount: int) -> None:
        self.done[key] += amount

    def finish(self, key: str) -> None:
        self.finished.append(key)


def test_each_file_bar_counts_that_file_and_every_step_finishes(tmp_path: Path) -> None:
    source = FIXTURES / "kaggle_defects"  # 18 movies, 12 credits rows, 7 keywords rows
    recorder = Recorder()
    build_catalog(source, tmp_path / "cat", progress=recorder)
    files = ("movies_metadata.csv", "credits.csv", "keywords.csv")
    assert {name: recorder.totals[name] for name in files} == {
        name: (source / name).stat().st_size for name in files
    }  # a file's bar is its own size, not the number of movies ("46419/4802")
    assert all(recorder.done[name] >= recorder.totals[name] for name in files)  # type: ignore[operator]
    assert sorted(recorder.finished) == sorted([*files, "servidor", "recomendador"])


def test_numbers_are_written_the_spanish_way() -> None:
    assert [number(4803), number(45466), number(17.14, 1), number(0.05, 1)] == [
        "4.803", "45.466", "17,1", "0,1",
    ]  # fmt: skip


def test_summary_and_bars_print_spanish_numbers(tmp_path: Path) -> None:
    console = Console(file=io.StringIO(), width=200, force_terminal=False)
    with rich_progress(console) as progress:
        summary = build_catalog(FIXTURES / "kaggle_defects", tmp_path / "cat", progress=progress,
                                fit_recommender=False)  # fmt: skip
    summary.manifest["build_seconds"] = 17.14
    summary.manifest["steps"]["movies"]["read"] = 45466
    print_summary(console, summary.manifest, summary.output)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "45.466" in text and "en 17,1 s." in text
    assert "45,466" not in text and "17.1 s" not in text
    assert " MB" in text and "0,0/" in text  # the fixtures are a few KB each
