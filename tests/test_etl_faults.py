"""Bad input and faults of the build: each ends in a Spanish message naming the file, a
documented exit code (2 input, 6 output) and no traceback, with the previous catalog intact;
values that are dropped or replaced follow the declared policy and are counted.

The input files are the small ones in tests/fixtures/faults/ (see tests/fixtures/README.md).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from filmoteca.catalog import store
from filmoteca.cli import cli
from filmoteca.errors import InputError, OutputError
from filmoteca.etl import write
from filmoteca.etl.pipeline import build_catalog
from filmoteca.etl.read import demo_dir
from filmoteca.recommender import Recommender

FAULTS = Path(__file__).parent / "fixtures" / "faults"
FILMOTECA = [sys.executable, "-m", "filmoteca.cli"]


def source(tmp_path: Path, movies: str = "movies_huge_id.csv", **files: str) -> Path:
    """An input folder: one fixture as movies_metadata.csv, credits.csv (and keywords.csv)."""
    folder = tmp_path / "entrada"
    folder.mkdir(exist_ok=True)
    names = {"movies_metadata.csv": movies, "credits.csv": "credits.csv", **files}
    for target, fixture in names.items():
        shutil.copyfile(FAULTS / fixture, folder / target)
    return folder


def _digest(directory: Path) -> dict[str, str]:
    return {
        p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def previous(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A catalog already built at tmp_path/cat, and the digest of its files."""
    out = tmp_path / "cat"
    build_catalog(source(tmp_path), out, fit_recommender=False)
    yield out, _digest(out)


def _run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", *args, "--sin-recomendador"])
    return result.exit_code, result.output


def test_duplicated_header_column_is_refused_naming_file_and_column(
    tmp_path: Path, previous: tuple[Path, dict[str, str]]
) -> None:
    out, before = previous
    src = source(tmp_path, "movies_duplicate_column.csv")
    code, output = _run_cli("--input", str(src), "--output", str(out))
    assert code == InputError.exit_code == 2
    assert "'movies_metadata.csv': la cabecera repite la columna 'title'" in output
    assert "Traceback" not in output
    assert _digest(out) == before


def test_an_id_too_big_for_int64_drops_its_row_like_a_non_integer_id(tmp_path: Path) -> None:
    manifest = build_catalog(source(tmp_path), tmp_path / "cat", fit_recommender=False).manifest
    dropped = manifest["steps"]["movies"]["dropped"]["id_no_entero"]
    assert dropped["rows"] == 1 and dropped["ejemplos"] == ["1000000000000000000000000000000"]
    ids = store.read_table(tmp_path / "cat", "movies")["id"].to_pylist()
    assert ids == [1, 2]


def test_release_years_outside_1870_2100_are_dropped_with_a_reason(tmp_path: Path) -> None:
    src = source(tmp_path, "movies_extreme_dates.csv")
    manifest = build_catalog(src, tmp_path / "cat", fit_recommender=False).manifest
    outside = manifest["steps"]["movies"]["dropped"]["fecha_fuera_de_rango"]
    assert outside["rows"] == 4 and outside["ejemplos"] == ["3", "4", "5", "6"]
    movies = store.read_table(tmp_path / "cat", "movies").to_pylist()
    assert {m["id"]: m["release_year"] for m in movies} == {1: 2001, 2: 2100, 7: 1870}


def test_non_finite_numbers_follow_the_declared_policy_and_are_counted(tmp_path: Path) -> None:
    src = source(tmp_path, "movies_non_finite.csv")
    manifest = build_catalog(src, tmp_path / "cat", fit_recommender=False).manifest
    movies = {m["id"]: m for m in store.read_table(tmp_path / "cat", "movies").to_pylist()}
    for id_ in (2, 3):  # money is 0; scores are null; the vote count is 0
        movie = movies[id_]
        assert (movie["budget"], movie["revenue"], movie["return"]) == (0.0, 0.0, 0.0)
        assert movie["runtime"] is None and movie["popularity"] is None
        assert movie["vote_average"] is None
    assert (movies[2]["vote_count"], movies[3]["vote_count"]) == (0, 2500)
    warnings = {k: v["rows"] for k, v in manifest["warnings"].items() if v["rows"]}
    assert warnings == {
        "presupuesto_no_numerico": 2, "recaudacion_no_numerica": 2, "popularidad_no_numerica": 2,
        "duracion_no_numerica": 2, "nota_no_numerica": 2, "votos_vacios": 1, "sin_creditos": 1,
    }  # fmt: skip


def _demo_with(tmp_path: Path, name: str, vote_average: str) -> Path:
    """The demo input with the first movie's vote_average replaced."""
    folder = tmp_path / name
    shutil.copytree(demo_dir(), folder)
    lines = (folder / "movies_metadata.csv").read_text(encoding="utf-8").splitlines()
    head, _, _ = lines[1].rpartition(",")  # ..., vote_average, vote_count
    head, _, _ = head.rpartition(",")
    lines[1] = f"{head},{vote_average},{lines[1].rpartition(',')[2]}"
    (folder / "movies_metadata.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_an_infinite_vote_average_is_a_missing_one_for_the_recommender(tmp_path: Path) -> None:
    models = {}
    for value in ("inf", ""):
        out = tmp_path / f"cat-{value or 'vacio'}"
        build_catalog(_demo_with(tmp_path, f"in-{value or 'vacio'}", value), out)
        models[value] = Recommender.load(out / "recomendador")
    ids = models[""].movie_ids_.tolist()
    for movie_id in ids:
        got = [(r.id, r.similarity) for r in models["inf"].recommend(movie_id, k=5)]
        assert got == [(r.id, r.similarity) for r in models[""].recommend(movie_id, k=5)]
        assert all(similarity > 0 for _, similarity in got[:1])


def test_a_utf8_bom_at_the_start_of_any_file_is_accepted(tmp_path: Path) -> None:
    src = source(
        tmp_path,
        "movies_bom.csv",
        **{"credits.csv": "credits_bom.csv", "keywords.csv": "keywords_bom.csv"},
    )
    manifest = build_catalog(src, tmp_path / "cat", fit_recommender=False).manifest
    kept = {name: step["kept"] for name, step in manifest["steps"].items()}
    assert kept == {"movies": 2, "credits": 2, "keywords": 1}
    assert manifest["tables"]["cast"]["rows"] == 2


def test_output_under_a_regular_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "archivo").write_text("no soy una carpeta")
    code, output = _run_cli(
        "--input", str(source(tmp_path)), "--output", str(tmp_path / "archivo" / "cat")
    )
    assert code == OutputError.exit_code == 6
    assert f"'{tmp_path / 'archivo'}' es un archivo, no una carpeta" in " ".join(output.split())
    assert "Traceback" not in output


def _as_nobody() -> list[str]:
    """The command prefix that runs as an unprivileged user (empty when not root already)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("sin setpriv no se puede probar como usuario sin privilegios")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder every user can enter (pytest's tmp_path is private to its owner)."""
    folder = Path(tempfile.mkdtemp(prefix="filmoteca-test-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in folder.rglob("*"):
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(folder)


def test_a_read_only_output_parent_gives_a_clean_message_and_exit_6(shared_tmp: Path) -> None:
    prefix = _as_nobody()
    src = source(shared_tmp)
    parent = shared_tmp / "solo_lectura"
    build_catalog(src, parent / "cat", fit_recommender=False)
    before = _digest(parent / "cat")
    for folder in (src, parent, *(p for p in (parent / "cat").rglob("*") if p.is_dir())):
        folder.chmod(0o755)
    for path in [*src.iterdir(), *(p for p in (parent / "cat").rglob("*") if p.is_file())]:
        path.chmod(0o644)
    parent.chmod(0o555)
    args = ["build", "--input", str(src), "--output", str(parent / "cat"), "--sin-recomendador"]
    proc = subprocess.run([*prefix, *FILMOTECA, *args], capture_output=True, text=True, timeout=120)
    parent.chmod(0o755)
    message = " ".join(proc.stderr.split())
    assert proc.returncode == 6, proc.stderr
    assert "No se pudo escribir el catálogo" in message and "permiso denegado" in message
    assert "Traceback" not in proc.stderr
    assert _digest(parent / "cat") == before


def test_a_full_disk_keeps_the_previous_catalog(
    tmp_path: Path, previous: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before = previous

    def full(self: write.TableWriter, table: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out.parent / "x.parquet"))

    monkeypatch.setattr(write.TableWriter, "write", full)
    with pytest.raises(OutputError) as err:
        build_catalog(source(tmp_path), out, fit_recommender=False)
    assert f"No se pudo escribir el catálogo '{out}': no queda espacio en el disco" in (
        err.value.message
    )
    assert _digest(out) == before
    assert not list(out.parent.glob(".cat.build-*"))


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs (needs root and a kernel that lets this process mount)."""
    mount = tmp_path / "disco"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip("no se puede montar un tmpfs pequeño aquí")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_really_full_disk_ends_with_exit_6_and_the_previous_catalog(
    tmp_path: Path, small_disk: Path
) -> None:
    src = source(tmp_path, **{"keywords.csv": "keywords.csv"})
    out = small_disk / "cat"
    build_catalog(src, out, fit_recommender=False)
    before = _digest(out)
    free = os.statvfs(small_disk)
    (small_disk / "relleno").write_bytes(b"\0" * (free.f_bavail * free.f_frsize - 20_000))
    proc = subprocess.run([*FILMOTECA, "build", "--input", str(src), "--output", str(out),
                           "--sin-recomendador"], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 6, proc.stderr
    assert "no queda espacio en el disco" in " ".join(proc.stderr.split())
    assert "Traceback" not in proc.stderr
    assert _digest(out) == before
    assert [p.name for p in small_disk.iterdir() if p.name.startswith(".cat.build")] == []


def test_a_second_build_to_the_same_output_is_refused_while_one_runs(
    tmp_path: Path, previous: tuple[Path, dict[str, str]]
) -> None:
    out, before = previous
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "bloqueado"
        args = [
            "build",
            "--input",
            str(source(tmp_path)),
            "--output",
            str(out),
            "--sin-recomendador",
        ]
        proc = subprocess.run([*FILMOTECA, *args], capture_output=True, text=True, timeout=120)
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert proc.returncode == 6, proc.stderr
    assert "Otra construcción está escribiendo ya el catálogo" in " ".join(proc.stderr.split())
    assert _digest(out) == before
    build_catalog(source(tmp_path), out, fit_recommender=False)  # the lock went with its holder


HOLD_LOCK = """
import sys, time
from pathlib import Path
from filmoteca.etl.write import build_lock
with build_lock(Path(sys.argv[1])):
    print("bloqueado", flush=True)
    time.sleep(120)
"""


def test_the_exit_codes_of_the_build_are_documented() -> None:
    page = (Path(__file__).parents[1] / "docs" / "construccion.md").read_text(encoding="utf-8")
    for error in (InputError, OutputError):
        assert f"| {error.exit_code} |" in page, error.__name__


def test_numpys_short_write_on_a_full_disk_is_named_as_such() -> None:
    """np.save on a full disk raises OSError('N requested and M written') with no errno."""
    from filmoteca.etl.write import output_error

    message = str(output_error(Path("cat"), OSError("65537 requested and 35824 written")))
    assert "no queda espacio en el disco" in message
    assert "no queda espacio" not in str(output_error(Path("cat"), OSError(5, "I/O error")))
