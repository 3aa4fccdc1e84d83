"""The `filmoteca` command: help in Spanish, clean errors and exit codes, the build end to end."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from filmoteca.cli import cli
from filmoteca.config import Settings

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


ENGLISH = re.compile(
    r"\b(Usage|Options|Commands|Show|Try|help\.|No such|Invalid|required|Missing|default|"
    r"Error: Got|PATH|TEXT|INTEGER|RANGE|does not|is not|Aborted)\b"
)


def _all_helps() -> dict[str, str]:
    runner = CliRunner()
    helps = {"filmoteca": runner.invoke(cli, ["--help"], prog_name="filmoteca").output}
    for name in cli.commands:
        helps[name] = runner.invoke(cli, [name, "--help"], prog_name="filmoteca").output
    return helps


def test_no_english_in_any_help() -> None:
    for name, text in _all_helps().items():
        assert "Uso: filmoteca" in text and "Opciones:" in text, text
        assert not ENGLISH.search(text), (name, ENGLISH.search(text), text)


@pytest.mark.parametrize(
    ("args", "spanish"),
    [
        (["nada"], "No existe el comando 'nada'"),
        (["serve", "--port", "99999"], "Valor no válido para '--port'"),
        (["serve", "--port", "abc"], "'abc' no es un número válido"),
        (["serve", "--nada"], "No existe la opción '--nada'"),
        (["download"], "Falta la opción '--output'"),
        (["build", "--input"], "necesita un valor"),
        (["build", "extra"], "Sobra un argumento"),
    ],
)
def test_typical_usage_errors_are_spanish(args: list[str], spanish: str) -> None:
    result = CliRunner().invoke(cli, args, prog_name="filmoteca")
    assert result.exit_code == 2
    assert spanish in result.output, result.output
    assert "Error:" in result.output
    assert not ENGLISH.search(result.output), result.output


def test_option_names_are_english_and_old_spellings_are_hidden_aliases(tmp_path: Path) -> None:
    helps = _all_helps()
    assert "--no-recommender" in helps["build"] and "--sin-recomendador" not in helps["build"]
    assert "--force" in helps["download"] and "--forzar" not in helps["download"]
    assert "--access-log" in helps["serve"] and "--log-accesos" not in helps["serve"]
    for old in ("--sin-recomendador", "--no-recommender"):
        out = tmp_path / old.strip("-")
        result = CliRunner().invoke(cli, ["build", "--output", str(out), old])
        assert result.exit_code == 0, result.output
        assert not (out / "recomendador").exists()


def test_port_in_use_is_a_spanish_message_suggesting_another_port() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"El puerto {port} ya está en uso" in result.output and "--port" in result.output
    assert "Errno" not in result.output and "address already in use" not in result.output


def test_evaluate_without_data_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no shared/data nor ../shared/data here
    monkeypatch.delenv("FILMOTECA_DATA_DIR", raising=False)
    result = CliRunner().invoke(cli, ["evaluate", "--catalog", str(tmp_path / "c")])
    assert result.exit_code == 2
    assert "FILMOTECA_DATA_DIR" in result.output and "Traceback" not in result.output


def test_default_data_dir_depends_on_the_current_folder_not_the_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FILMOTECA_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Settings().data_dir is None
    (tmp_path / "shared" / "data").mkdir(parents=True)
    assert Settings().data_dir == Path("shared/data")
    inner = tmp_path / "repo"
    inner.mkdir()
    monkeypatch.chdir(inner)
    assert Settings().data_dir == Path("../shared/data")
