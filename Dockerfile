# One image for every process of the platform; docker-compose picks the module to run.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The versions CI tested (requirements.lock, hashes checked), then the platform itself.
COPY pyproject.toml requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY shared ./shared
COPY services ./services
COPY gateway ./gateway
COPY simulators ./simulators
COPY deploy ./deploy
RUN pip install --no-deps .
RUN useradd --system --uid 10001 app
USER app
