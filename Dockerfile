# syntax=docker/dockerfile:1.7
# filmoteca: the API over a catalog built at image build time (or mounted at run time).
#
#   docker build -t filmoteca .                                  # demo catalog
#   docker build -t filmoteca --build-arg DATA_DIR=datos .       # catalog from ./datos/*.csv
#   docker run -p 8000:8000 filmoteca
#   docker run -p 8000:8000 -v "$PWD/catalogo:/app/catalogo:ro" filmoteca   # catalog mounted
#
# DATA_DIR is a folder of the build context with the Kaggle CSVs (movies_metadata.csv,
# credits.csv, keywords.csv), e.g. the output of `filmoteca download --output datos`.
# Every dependency comes from a lock file with hashes (pip --require-hashes), in its own layer
# before the source: editing src/ rebuilds only the small layers after it.

ARG PYTHON_IMAGE=python:3.11-slim

# --- wheel: filmoteca itself, built with the locked backend ----------------------------------
FROM ${PYTHON_IMAGE} AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY requirements-build.lock ./
RUN pip install --require-hashes -r requirements-build.lock
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN pip wheel --no-deps --no-build-isolation --wheel-dir /wheels .

# --- slim: what serving needs (requirements-slim.lock) + filmoteca, no pandas/pyarrow/scipy --
FROM ${PYTHON_IMAGE} AS slim
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements-slim.lock /tmp/
RUN pip install --require-hashes -r /tmp/requirements-slim.lock
COPY --from=wheel /wheels /wheels
RUN pip install --no-deps /wheels/*.whl

# --- catalog and report: built once, here, with the full install (requirements-runtime.lock) -
FROM ${PYTHON_IMAGE} AS catalog
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
COPY requirements-runtime.lock /tmp/
RUN pip install --require-hashes -r /tmp/requirements-runtime.lock
COPY --from=wheel /wheels /wheels
RUN pip install --no-deps /wheels/*.whl
ARG DATA_DIR=""
RUN --mount=type=bind,target=/context \
    if [ -n "$DATA_DIR" ]; then \
        filmoteca build --input "/context/$DATA_DIR" --output /catalogo; \
    else \
        filmoteca build --output /catalogo; \
    fi \
    && filmoteca report --catalog /catalogo --output /informe

# --- runtime: the slim virtualenv and the catalog, non-root ----------------------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 filmoteca \
    && useradd --system --uid 10001 --gid filmoteca --home-dir /app --no-create-home filmoteca
COPY --from=slim /opt/venv /opt/venv
COPY --from=catalog --chown=filmoteca:filmoteca /catalogo /app/catalogo
COPY --from=catalog --chown=filmoteca:filmoteca /informe /app/informe
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=8000 \
    FILMOTECA_CATALOG_DIR=/app/catalogo \
    FILMOTECA_REPORT_DIR=/app/informe \
    FILMOTECA_LOG_FORMAT=json \
    FILMOTECA_WORKERS=1
WORKDIR /app
USER filmoteca
EXPOSE 8000
# /listo, as Render probes: 503 until the catalog is loaded, 200 after.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PORT']}/listo\", timeout=4)"]
# `exec`: filmoteca (uvicorn) becomes PID 1 and gets SIGTERM itself: in-flight requests finish.
CMD ["sh", "-c", "exec filmoteca serve --host 0.0.0.0 --port ${PORT}"]
