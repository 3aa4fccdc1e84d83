"""The `filmoteca` command: help in Spanish, clean errors and exit codes, the build end to end."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from filmoteca.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"


def test_every_command_has_spanish_help() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name, command in cli.commands.items():
        assert command.help, f"el comando {name} no tiene ayuda"
        sub = runner.invoke(cli, [name, "--help"])
        assert sub.exit_code == 0 and "Muestra esta ayuda y termina." in sub.output


def test_build_prints_summary_and_writes_manifest(tmp_path: Path) -> None:
    out = tmp_path / "cat"
    result = CliRunner().invoke(
        cli,
        [
            "build",
            "--input",
            str(FIXTURES / "kaggle_defects"),
            "--output",
            str(out),
            "--sin-recomendador",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Resumen de la construcción" in result.output
    assert "id no es un número entero" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["steps"]["movies"]["kept"] == 9


def test_build_without_input_says_it_is_the_demo(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["build", "--output", str(tmp_path / "demo"), "--sin-recomendador"]
    )
    assert result.exit_code == 0, result.output
    assert "DEMOSTRACIÓN" in result.output and "rounakbanik/the-movies-dataset" in result.output


def test_build_with_missing_input_fails_cleanly(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["build", "--input", str(tmp_path / "nada"), "--output", str(tmp_path / "c")]
    )
    assert result.exit_code == 2
    assert "Error:" in result.output and "no existe" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "c").exists()
