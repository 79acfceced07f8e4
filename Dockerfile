# syntax=docker/dockerfile:1
# dockreview: the webhook service (`dockreview serve`, default) and workers (`dockreview worker`).

ARG PYTHON_IMAGE=python:3.12.8-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY rules ./rules
COPY bot ./bot
RUN python -m pip wheel --no-cache-dir --wheel-dir /wheels ".[app]"

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1
RUN groupadd --system --gid 10001 dockreview \
    && useradd --system --uid 10001 --gid dockreview --home-dir /app --shell /usr/sbin/nologin dockreview
COPY --from=build /wheels /wheels
RUN python -m pip install --no-index --find-links /wheels "dockreview[app]" \
    && rm -rf /wheels
WORKDIR /app
USER 10001:10001
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=2).status != 200)"]
ENTRYPOINT ["dockreview"]
CMD ["serve", "--host", "0.0.0.0", "--port", "3000"]
