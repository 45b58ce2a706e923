# Stand-in for redis:7-bookworm: Debian's redis-server (7.0), listening on every interface of
# the container as the official image does.
ARG BASE
FROM ${BASE}
RUN apt-get update && apt-get install -y --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/*
USER redis
WORKDIR /var/lib/redis
EXPOSE 6379
CMD ["redis-server", "--bind", "0.0.0.0", "::", "--protected-mode", "no"]
