# The crm-dq worker. The project is an application run from /app, never installed as a
# distribution: only the dependency list of pyproject.toml is installed, pinned by constraints.txt.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
 && pip install -r requirements.txt -c constraints.txt \
 && rm requirements.txt

COPY streams ./streams
COPY agents ./agents
COPY schemas ./schemas
COPY monitoring ./monitoring
COPY config ./config

# Faust keeps its local state in a data directory; the code stays read-only for the worker user.
RUN useradd --system --uid 10001 --home-dir /var/lib/crm-dq --create-home dq
ENV PYTHONPATH=/app \
    F_DATADIR=/var/lib/crm-dq/data
USER dq

EXPOSE 6066
CMD ["python", "-m", "streams", "worker", "-l", "info"]
