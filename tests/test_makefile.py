"""The Makefile: every target listed by `make help` has a rule, and `make catalog` picks the
data as the README says (FILMOTECA_DATA_DIR, else the demo), saying which."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="no make")
VENV = Path(sys.prefix)
STAMP = VENV / ".filmoteca-instalado"


def _make(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """make in the repository, with this environment taken as installed (-o: not remade)."""
    command = [str(MAKE), "--no-print-directory", "-o", str(STAMP), f"VENV={VENV}", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


def test_help_lists_every_target_and_every_target_has_a_rule() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = set(re.search(r"^\.PHONY: (.*)$", makefile, re.M).group(1).split())  # type: ignore[union-attr]
    rules = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    assert phony == rules, phony ^ rules
    shown = _make("help").stdout
    listed = set(re.findall(r"^  ([a-z-]+) ", shown, re.M))
    assert listed == phony, phony ^ listed
    for target in phony - {"setup"}:  # a dry run knows what to do (setup: the stamp's rule)
        result = _make("-n", target)
        assert result.returncode == 0 and "Nothing to be done" not in result.stdout, target
    for needs_env in ("serve", "test"):  # they create the environment when it is missing
        assert f"{needs_env}:" in makefile
        line = next(x for x in makefile.splitlines() if x.startswith(f"{needs_env}:"))
        assert "$(STAMP)" in line or "$(CATALOG)/manifest.json" in line


def test_catalog_honours_filmoteca_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "datos"
    shutil.copytree(FIXTURES / "kaggle_defects", data / "movies_dataset")
    env = {**os.environ, "FILMOTECA_DATA_DIR": str(data)}
    result = _make("catalog", f"CATALOG={tmp_path / 'cat'}", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Datos reales en {data}" in result.stdout
    manifest = json.loads((tmp_path / "cat" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source"]["kind"] != "demo" and not manifest["source"].get("demo")


def test_catalog_without_data_or_credentials_builds_the_demo_and_says_so(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FILMOTECA_", "KAGGLE_"))}
    env["HOME"] = str(tmp_path)  # no ~/.kaggle/kaggle.json
    result = _make("catalog", f"CATALOG={tmp_path / 'cat'}", f"DATA={tmp_path / 'nada'}", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "se construye el catálogo de demostración" in result.stdout
    manifest = json.loads((tmp_path / "cat" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source"]["demo"] is True


def test_serve_writes_the_report_when_missing_or_older_than_the_catalog(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FILMOTECA_", "KAGGLE_"))}
    env["HOME"] = str(tmp_path)
    catalog, report = tmp_path / "cat", tmp_path / "inf"
    paths = (f"CATALOG={catalog}", f"REPORT={report}", f"DATA={tmp_path / 'nada'}")
    assert _make("catalog", *paths, env=env).returncode == 0
    result = _make(f"{report}/index.html", *paths, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "informe exploratorio" in (report / "index.html").read_text(encoding="utf-8").lower()
    planned = _make("-n", "serve", *paths, env=env).stdout
    assert "filmoteca report" not in planned and f'FILMOTECA_REPORT_DIR="{report}"' in planned
    os.utime(report / "index.html", (0, 0))  # older than the catalog: written again
    assert "filmoteca report" in _make("-n", "serve", *paths, env=env).stdout
