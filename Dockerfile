# IGE-MOJI: one self-contained binary (models, web app and template art are
# built into it).
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
# The binary carries its models, web app and template art; the image adds
# only CA certificates (for S3 over TLS) and the licences of what it carries.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir /data \
 && chown 10001:10001 /data
# Root-owned, so read-only to the service; only /data is its own.
COPY --from=builder /usr/local/bin/igemoji /usr/local/bin/igemoji
COPY --from=builder /out/licenses/ /usr/share/doc/igemoji/
# The service runs from /data; the paths below keep its files at the top of
# the volume (the built-in defaults would make /data/data/...).
# DEV_SECRET_FILE is a path, not a secret (a real one comes at run time).
WORKDIR /data
# hadolint ignore=DL3064
ENV IGEMOJI__SERVER__BIND=0.0.0.0:8080 \
    IGEMOJI__ADMIN__BIND=0.0.0.0:9464 \
    IGEMOJI__DATABASE__URL="sqlite:///data/igemoji.db?mode=rwc" \
    IGEMOJI__STORAGE__URL=file:///data/media \
    IGEMOJI__AUTH__DEV_SECRET_FILE=/data/jwt-secret \
    IGEMOJI__TASKS__INSTANCE_DIR=/data/instances \
    IGEMOJI__LOG__FORMAT=json
VOLUME /data
# Numeric, so runAsNonRoot-style checks can verify it without /etc/passwd.
USER 10001:10001
# 8080: site and API. 9464: /metrics, for Prometheus only; never publish it.
EXPOSE 8080 9464
# `igemoji health` asks the running service for /healthz (no curl needed).
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
  CMD ["igemoji", "health"]
# In-flight requests get server.shutdown_timeout (30s) after SIGTERM: stop
# with a longer grace (docker stop -t 35, compose stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["igemoji"]
CMD ["serve"]
