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
COPY scripts/build_native.py ./scripts/build_native.py

# The mypyc-compiled core (scripts/build_native.py, the `native` extra of pyproject.toml), built
# with a compiler that is removed again. The worker logs and exports (`dq_build_info{core_build}`)
# which build runs, and never runs a build older than its sources.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends gcc libc6-dev >/dev/null \
 && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['native']))" > native.txt \
 && pip install -r native.txt -c constraints.txt \
 && python scripts/build_native.py \
 && apt-get purge -y -qq gcc libc6-dev >/dev/null && apt-get autoremove -y -qq >/dev/null \
 && rm -rf /var/lib/apt/lists/* native.txt

# Faust keeps its local state in a data directory; the code stays read-only for the worker user.
RUN useradd --system --uid 10001 --home-dir /var/lib/crm-dq --create-home dq
ENV PYTHONPATH=/app \
    F_DATADIR=/var/lib/crm-dq/data
USER dq

EXPOSE 6066
CMD ["python", "-m", "streams", "worker", "-l", "info"]
