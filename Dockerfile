# syntax=docker/dockerfile:1.7
# filmoteca: the API over a catalog built at image build time (or mounted at run time).
#
#   docker build -t filmoteca .                                  # demo catalog (40 movies)
#   docker build -t filmoteca --build-arg DATA_DIR=datos .       # catalog from ./datos/*.csv
#   docker run -p 8000:8000 filmoteca
#   docker run -p 8000:8000 -v "$PWD/catalogo:/app/catalogo:ro" filmoteca   # catalog mounted
#
# DATA_DIR is a folder of the build context with the Kaggle CSVs (movies_metadata.csv,
# credits.csv, keywords.csv), e.g. the output of `filmoteca download --output datos`.

ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: the package and its dependencies in a virtualenv --------------------------------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md requirements-runtime.lock ./
COPY src ./src
RUN pip install -c requirements-runtime.lock .

# --- catalog: built once, here, from DATA_DIR (or the shipped demo when DATA_DIR is empty) ----
FROM builder AS catalog
ARG DATA_DIR=""
RUN --mount=type=bind,target=/context \
    if [ -n "$DATA_DIR" ]; then \
        filmoteca build --input "/context/$DATA_DIR" --output /catalogo; \
    else \
        filmoteca build --output /catalogo; \
    fi

# --- runtime: slim, non-root, only the virtualenv and the catalog ----------------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 filmoteca \
    && useradd --system --uid 10001 --gid filmoteca --home-dir /app --no-create-home filmoteca
COPY --from=builder /opt/venv /opt/venv
COPY --from=catalog --chown=filmoteca:filmoteca /catalogo /app/catalogo
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=8000 \
    FILMOTECA_CATALOG_DIR=/app/catalogo \
    FILMOTECA_LOG_FORMAT=json \
    FILMOTECA_WORKERS=1
WORKDIR /app
USER filmoteca
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PORT']}/salud\", timeout=4)"]
# `exec`: filmoteca (uvicorn) becomes PID 1 and gets SIGTERM itself: in-flight requests finish.
CMD ["sh", "-c", "exec filmoteca serve --host 0.0.0.0 --port ${PORT}"]
