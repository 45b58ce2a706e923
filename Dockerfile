# One image for every taskhub process: web (the default command), `taskhub worker`,
# `taskhub relay` and `taskhub db upgrade`, chosen by the command (see docker-compose.yml).
#
# The build needs no network: build the wheels on the host first,
#   scripts/wheels   (pip wheel -w wheels '.[server,postgres,celery]', and async-timeout)
# then `docker compose build` (or `docker build .`). PYTHON_IMAGE swaps the base image.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
COPY wheels /wheels
RUN python3 -m venv /opt/taskhub \
    && /opt/taskhub/bin/pip install --quiet --no-cache-dir --no-index --find-links /wheels \
        'taskhub[server,postgres,celery]' \
    && /opt/taskhub/bin/pip uninstall --quiet --yes pip

FROM ${PYTHON_IMAGE}
RUN useradd --create-home --home-dir /home/taskhub --uid 10001 --user-group taskhub
COPY --from=build /opt/taskhub /opt/taskhub
ENV PATH=/opt/taskhub/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
USER taskhub
WORKDIR /home/taskhub
EXPOSE 8000
# gunicorn stops gracefully on SIGTERM (workers finish their requests). Celery's worker and
# `taskhub relay` handle SIGTERM too, but a Python PID 1 reaps no orphans: run them with an
# init (`init: true` in docker-compose.yml, `docker run --init`).
STOPSIGNAL SIGTERM
# The web process's liveness; the compose file turns it off for the other commands.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--config", "python:taskhub.entrypoints.http.gunicorn_config", \
     "--workers", "2", "--threads", "8", "--timeout", "60", \
     "taskhub.entrypoints.http:create_app()"]
