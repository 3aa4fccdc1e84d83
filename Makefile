# One command per chore; CI runs the same ones.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= ../shared/data

.PHONY: setup lock catalog serve report evaluate test test-fast lint bench browser audit soak

setup:  ## create .venv and install filmoteca with everything the tests need
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev]"

lock:  ## re-pin requirements.lock and requirements-runtime.lock from pyproject.toml (needs the index)
	$(BIN)/python scripts/lock.py

catalog:  ## build ./catalogo from the real data when present, else from the shipped demo
	@if [ -f "$(DATA)/movies_dataset/movies_metadata.csv" ]; then \
		$(BIN)/filmoteca build --input "$(DATA)/movies_dataset" --keywords "$(DATA)/raw/keywords.csv" --output catalogo; \
	else \
		echo "No hay datos reales en $(DATA): se construye la demo."; \
		$(BIN)/filmoteca build --output catalogo; \
	fi

serve:  ## serve ./catalogo on http://127.0.0.1:8000
	$(BIN)/filmoteca serve --catalog catalogo

report:  ## write the EDA report of ./catalogo into ./informe
	$(BIN)/filmoteca report --catalog catalogo --output informe

test:  ## the whole suite (real data from $(DATA), browser tests when chromium is installed)
	$(BIN)/python -m pytest

audit:  ## known vulnerabilities in the locked dependencies (pip-audit; fails if any cannot be checked)
	$(BIN)/pip-audit --strict --no-deps --disable-pip --progress-spinner off -r requirements.lock

soak:  ## 60 s at concurrency 64 against a real server: zero errors, memory stable (bench/soak.py)
	$(BIN)/python bench/soak.py

lint:
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

bench:  ## benchmarks on the real data and scaled copies (minutes; not part of the tests)
	$(BIN)/python bench/bench_etl.py
	$(BIN)/python bench/bench_report.py
