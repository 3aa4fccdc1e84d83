"""Security rules checked over the source tree: data is never unpickled nor evaluated."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# ast.literal_eval is the oracle the fast literal parser is checked against, on test strings.
ALLOWED = {
    ("tests/test_literals.py", "literal_eval"),
    ("tests/test_readme.py", "exec"),  # runs the README's own Python section, no data
}
UNSAFE_MODULES = {"pickle", "cPickle", "dill", "joblib", "marshal", "shelve", "cloudpickle"}
UNSAFE_CALLS = {"eval", "exec", "literal_eval", "read_pickle"}


def _python_files() -> list[Path]:
    """Every Python file of the package and the tests (bench/ may run the seed-style ETL)."""
    return sorted([*(ROOT / "src").rglob("*.py"), *(ROOT / "tests").rglob("*.py")])


def _violations(path: Path, rel: str | None = None) -> list[str]:
    """Unsafe imports, calls and pickle-enabled loads in one file (comments are ignored)."""
    rel = rel or path.relative_to(ROOT).as_posix()
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=rel)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names]
            if isinstance(node, ast.ImportFrom) and node.module:
                names.append(node.module)
            found += [
                f"{rel}:{node.lineno} import {n}"
                for n in names
                if n.split(".")[0] in UNSAFE_MODULES
            ]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in UNSAFE_CALLS and (rel, name) not in ALLOWED:
                found.append(f"{rel}:{node.lineno} {name}()")
            for kw in node.keywords:
                if kw.arg == "allow_pickle" and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is False
                ):
                    found.append(f"{rel}:{node.lineno} allow_pickle no es False")
    return found


def test_no_pickle_or_eval_of_data_in_package_or_tests() -> None:
    violations = [v for path in _python_files() for v in _violations(path)]
    assert violations == []


def test_the_checker_catches_what_it_looks_for(tmp_path: Path) -> None:
    sample = tmp_path / "muestra.py"
    sample.write_text(
        "import pickle\nfrom joblib import load\nimport numpy as np\n"
        "x = eval('1')\ny = np.load('a.npy', allow_pickle=True)\n",
        encoding="utf-8",
    )
    assert len(_violations(sample, "muestra.py")) == 4


def test_plain_text_search_agrees() -> None:
    """The same rule as a plain grep: `pickle`, `eval(`, `literal_eval` outside bench/."""
    hits = []
    for path in _python_files():
        rel = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if rel == "tests/test_security.py" or (rel, "literal_eval") in ALLOWED:
                continue
            if "import pickle" in code or " eval(" in code or "literal_eval(" in code:
                hits.append(f"{rel}:{number}: {line.strip()}")
    assert hits == []


def test_model_files_are_plain_formats() -> None:
    """The recommender stores numpy arrays without pickle, and JSON: nothing executable."""
    source = (ROOT / "src" / "filmoteca" / "catalog" / "mapped.py").read_text(encoding="utf-8")
    assert source.count("allow_pickle=False") >= 2  # np.save and np.load
