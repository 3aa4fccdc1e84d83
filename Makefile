# filmoteca: one command per chore; CI (.ci/run) runs the same ones.
# `make help` lists them. `make serve` and `make test` create the environment when it is missing.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Real data: FILMOTECA_DATA_DIR, else ./shared/data or ../shared/data when present.
DATA ?= $(or $(FILMOTECA_DATA_DIR),$(wildcard shared/data),../shared/data)
CATALOG ?= catalogo
REPORT ?= informe
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.filmoteca-instalado
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider

.DEFAULT_GOAL := help
.PHONY: help setup lock catalog serve report evaluate test test-fast browser lint audit soak bench

help:  ## lista los objetivos (este texto)
	@echo "Uso: make <objetivo> [PORT=8000] [DATA=carpeta] [CATALOG=catalogo]"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml requirements.lock
	@echo "==> Creando el entorno $(VENV) con las versiones fijadas en requirements.lock (1-3 min)"
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --disable-pip-version-check --no-deps --no-build-isolation --quiet -e .
	@# the editable install leaves src/ uncompiled: each process would compile it again
	@# (PYTHONDONTWRITEBYTECODE, often set, forbids caching it), about 0.2 s per start
	$(BIN)/python -m compileall -q src/filmoteca
	@touch $@
	@echo "==> Entorno listo: $(VENV)"

setup: $(STAMP)  ## crea .venv con filmoteca y todo lo que usan las pruebas (versiones fijadas, con hashes)

lock:  ## vuelve a resolver requirements*.lock (con hashes) desde pyproject.toml; necesita PyPI
	$(BIN)/python scripts/lock.py

# Built only when missing (make serve); `make catalog` always rebuilds.
$(CATALOG)/manifest.json: | $(STAMP)
	@$(MAKE) --no-print-directory catalog

catalog: | $(STAMP)  ## construye ./catalogo: datos reales (DATA), si no Kaggle (credenciales), si no la demo
	@if [ -f "$(DATA)/movies_dataset/movies_metadata.csv" ]; then \
		echo "==> Datos reales en $(DATA): se construye el catálogo completo."; \
		kw="$(DATA)/raw/keywords.csv"; rt="$(DATA)/raw/ratings_small.csv"; \
		$(BIN)/filmoteca build --input "$(DATA)/movies_dataset" --output "$(CATALOG)" \
			$$( [ -f "$$kw" ] && echo --keywords "$$kw" ) $$( [ -f "$$rt" ] && echo --ratings "$$rt" ); \
	elif [ -n "$$KAGGLE_KEY" ] || [ -f "$$HOME/.kaggle/kaggle.json" ]; then \
		echo "==> Sin datos en $(DATA); hay credenciales de Kaggle: se descarga The Movies Dataset."; \
		if $(BIN)/filmoteca download --output datos; then \
			$(BIN)/filmoteca build --input datos --output "$(CATALOG)"; \
		else \
			echo "==> No se pudo descargar: se construye el catálogo de demostración."; \
			$(BIN)/filmoteca build --output "$(CATALOG)"; \
		fi; \
	else \
		echo "==> Sin datos en $(DATA) ni credenciales de Kaggle: se construye el catálogo de demostración."; \
		$(BIN)/filmoteca build --output "$(CATALOG)"; \
	fi

serve: $(CATALOG)/manifest.json $(REPORT)/index.html  ## sirve el catálogo en http://127.0.0.1:8000 (otro puerto: make serve PORT=8001)
	@echo "==> API en http://$(HOST):$(PORT)  (página: /app, informe: /reporte, documentación: /docs; Ctrl+C para parar)"
	@$(BIN)/python -m compileall -q src/filmoteca  # only what changed since setup
	FILMOTECA_REPORT_DIR="$(REPORT)" $(BIN)/filmoteca serve --catalog "$(CATALOG)" --host $(HOST) --port $(PORT)

# Written when missing or older than the catalog (make serve); `make report` always rewrites it.
$(REPORT)/index.html: $(CATALOG)/manifest.json
	@echo "==> Generando el informe exploratorio en ./$(REPORT) (unos segundos)"
	$(BIN)/filmoteca report --catalog "$(CATALOG)" --output "$(REPORT)"

report: $(CATALOG)/manifest.json  ## escribe el informe exploratorio del catálogo en ./informe
	$(BIN)/filmoteca report --catalog "$(CATALOG)" --output "$(REPORT)"

evaluate: $(CATALOG)/manifest.json  ## evalúa el recomendador con las valoraciones de MovieLens (datos reales)
	$(BIN)/filmoteca evaluate --catalog "$(CATALOG)"

test: | $(STAMP)  ## todas las pruebas (datos reales de DATA; las de navegador si hay chromium)
	FILMOTECA_DATA_DIR="$(DATA)" $(PYTEST)

test-fast: | $(STAMP)  ## las pruebas sin las lentas ni las de navegador (un minuto)
	FILMOTECA_DATA_DIR="$(DATA)" $(PYTEST) -m "not slow and not browser"

browser: | $(STAMP)  ## solo las pruebas de navegador (chromium de Debian en /usr/bin/chromium)
	FILMOTECA_DATA_DIR="$(DATA)" $(PYTEST) -m browser

lint: | $(STAMP)  ## ruff (reglas y formato) y mypy --strict
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

audit: | $(STAMP)  ## vulnerabilidades conocidas de las dependencias fijadas (pip-audit; necesita red)
	$(BIN)/pip-audit --strict --no-deps --disable-pip --progress-spinner off -r requirements.lock

soak: | $(STAMP)  ## 60 s con 64 conexiones contra un servidor real: cero errores, memoria estable
	$(BIN)/python bench/soak.py

bench: | $(STAMP)  ## benchmarks con los datos reales y copias escaladas (minutos)
	$(BIN)/python bench/bench_etl.py
	$(BIN)/python bench/bench_report.py
