# One Dockerfile, an image per process: `docker build --target identity -t zhicheng/identity .`, and
# likewise units, library, plans, applications, documents, gateway and mzt (the 闽政通 simulator).
# docker-compose.yml builds each from here; deploy/k8s runs the same images (tests/test_k8s.py checks both).
# Every image runs as uid 10001 and writes nothing but /tmp, so the root file system can be read-only.

# Python and the locked dependencies (requirements.lock, hashes checked), shared by every image.
FROM python:3.11-slim-bookworm AS python
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HOME=/tmp XDG_CACHE_HOME=/tmp/.cache
WORKDIR /app
COPY pyproject.toml requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
RUN useradd --system --uid 10001 --home-dir /tmp app

# WeasyPrint's libraries and the CJK fonts, for the documents service only (certificates, PDFs);
# the font cache is built here, so fontconfig never writes at run time.
FROM python AS python-pdf
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fontconfig \
    && fc-cache -f && rm -rf /var/lib/apt/lists/*

# The platform's code, the same in every image.
FROM scratch AS source
COPY pyproject.toml /app/
COPY shared /app/shared
COPY services /app/services
COPY gateway /app/gateway
COPY simulators /app/simulators
COPY deploy /app/deploy

FROM python AS platform
COPY --from=source /app /app
RUN pip install --no-deps . && python -m compileall -q /app
USER 10001

FROM python-pdf AS platform-pdf
COPY --from=source /app /app
RUN pip install --no-deps . && python -m compileall -q /app
USER 10001

# One stage per process: its command by default (Kubernetes passes the worker's, the migration's).
FROM platform AS identity
CMD ["python", "-m", "services.identity"]
FROM platform AS units
CMD ["python", "-m", "services.units"]
FROM platform AS library
CMD ["python", "-m", "services.library"]
FROM platform AS plans
CMD ["python", "-m", "services.plans"]
FROM platform AS applications
CMD ["python", "-m", "services.applications"]
FROM platform-pdf AS documents
CMD ["python", "-m", "services.documents"]
FROM platform AS gateway
CMD ["python", "-m", "gateway"]
FROM platform AS mzt
CMD ["python", "-m", "simulators.mzt"]
