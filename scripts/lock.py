"""Re-pin requirements.lock (everything `pip install -e .[dev]` installs) and
requirements-runtime.lock (what `pip install .` needs) from pyproject.toml's ranges.

Resolves in a fresh virtual environment (needs the package index), then writes both files,
keeping their two-line headers. Run with `make lock`; commit the result with the change to
pyproject.toml that asked for it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {"dev": ROOT / "requirements.lock", "runtime": ROOT / "requirements-runtime.lock"}


def _header(path: Path) -> str:
    """The comment lines at the top of a lock file."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True) if path.exists() else []
    return "".join(line for line in lines[:2] if line.startswith("#"))


def _name(pin: str) -> str:
    """Sort key of a pin: its package name, normalised as pip compares names."""
    return pin.split("==")[0].lower().replace("_", "-").replace(".", "-")


def main() -> None:
    """Resolve, then write both lock files."""
    with tempfile.TemporaryDirectory() as tmp:
        venv.create(tmp, with_pip=True)
        pip = [str(Path(tmp) / "bin" / "python"), "-m", "pip", "--quiet"]
        subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "install", "-e", f"{ROOT}[dev]"], check=True)
        frozen = subprocess.run(
            [*pip, "freeze", "--exclude-editable"], check=True, capture_output=True, text=True
        ).stdout
        dev = sorted(
            (line for line in frozen.splitlines() if not line.startswith("filmoteca")), key=_name
        )
        constraints, report = Path(tmp) / "dev.txt", Path(tmp) / "report.json"
        constraints.write_text("\n".join(dev) + "\n", encoding="utf-8")
        subprocess.run(
            [*pip, "install", "--dry-run", "--ignore-installed", "--report", str(report),
             "-c", str(constraints), str(ROOT)],
            check=True,
        )  # fmt: skip
        install = json.loads(report.read_text(encoding="utf-8"))["install"]
        runtime = sorted(
            (
                f"{item['metadata']['name']}=={item['metadata']['version']}"
                for item in install
                if item["metadata"]["name"] != "filmoteca"
            ),
            key=_name,
        )
    for name, pins in (("dev", dev), ("runtime", runtime)):
        path = LOCKS[name]
        path.write_text(_header(path) + "\n".join(pins) + "\n", encoding="utf-8")
        print(f"{path.name}: {len(pins)} paquetes", file=sys.stderr)


if __name__ == "__main__":
    main()
