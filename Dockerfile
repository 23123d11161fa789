# IGE-MOJI: one binary plus the files it reads from its working directory.
#   docker build -t igemoji .
# No node stage: static/ (the built web app) is committed, and CI checks it is
# the build of web/ (scripts/build-web.sh --check), so the image reuses it.
# Needs BuildKit (the default builder since Docker 23) for the cache mounts.

FROM rust:1.95-slim-bookworm AS builder
WORKDIR /src
COPY . .
# The cache mounts keep the registry and compiled dependencies between builds;
# build-release.sh copies the results out of them into /out.
ENV CARGO_TARGET_DIR=/cache/target
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/cache/target \
    scripts/build-release.sh /out \
 && mv /out/igemoji /usr/local/bin/igemoji

# Same Debian release as the builder, so the binary finds the glibc it linked.
FROM debian:bookworm-slim
# curl only for HEALTHCHECK: the binary has no probe subcommand.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 igemoji \
 && useradd --system --no-log-init --uid 10001 --gid igemoji --home-dir /app igemoji \
 && mkdir /data \
 && chown 10001:10001 /data
WORKDIR /app
# Program files stay root-owned (read-only to the service); only /data is its.
COPY --from=builder /usr/local/bin/igemoji /usr/local/bin/igemoji
COPY --from=builder /out/ /app/
# DEV_SECRET_FILE is a path, not a secret (a real one comes at run time).
# hadolint ignore=DL3064
ENV IGEMOJI__SERVER__BIND=0.0.0.0:8080 \
    IGEMOJI__ADMIN__BIND=0.0.0.0:9464 \
    IGEMOJI__DATABASE__URL="sqlite:///data/igemoji.db?mode=rwc" \
    IGEMOJI__STORAGE__URL=file:///data/media \
    IGEMOJI__AUTH__DEV_SECRET_FILE=/data/jwt-secret \
    IGEMOJI__LOG__FORMAT=json
VOLUME /data
# Numeric, so runAsNonRoot-style checks can verify it without /etc/passwd.
USER 10001:10001
# 8080: site and API. 9464: /metrics, for Prometheus only; never publish it.
EXPOSE 8080 9464
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/healthz"]
# In-flight requests get server.shutdown_timeout (30s) after SIGTERM: stop
# with a longer grace (docker stop -t 35, compose stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["igemoji"]
CMD ["serve"]
