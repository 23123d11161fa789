#!/usr/bin/env bash
# Builds the Dockerfile's runtime stage and runs it, with no image registry:
#   scripts/container-check.sh RELEASE_DIR    (made by scripts/build-release.sh)
#
# - The base image, debian:bookworm-slim, is made by debootstrap from
#   Debian's own archive (cached as a podman image).
# - podman builds the Dockerfile's last stage, with RELEASE_DIR standing in
#   for the builder stage (which is scripts/build-release.sh, run by CI).
# - It runs under runc: crun, podman's default here, cannot start
#   containers on this machine (it cannot raise RLIMIT_NOFILE/NPROC to its
#   defaults and refuses the hybrid cgroup layout), so the rlimits are set
#   within the host's.
# Then it checks what a deploy needs: /healthz, the image's own HEALTHCHECK
# (run by `podman healthcheck run`: there is no systemd to schedule it), the built-in templates and one photo analysed through the API,
# with the process running as uid 10001.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 1 ]; then
  echo "usage: $0 RELEASE_DIR" >&2
  exit 2
fi
release_dir="$(cd "$1" && pwd)"
base_image=docker.io/library/debian:bookworm-slim
image=localhost/igemoji:check
podman=(podman --runtime runc)

missing=()
for tool in podman runc debootstrap curl; do
  command -v "$tool" > /dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" > /dev/null
fi

if ! podman image exists "$base_image"; then
  echo "== making $base_image with debootstrap"
  rootfs="$(mktemp -d)"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian > /dev/null
  tar -C "$rootfs" -c . | podman import --quiet - "$base_image" > /dev/null
  rm -rf "$rootfs"
fi

echo "== building the runtime stage"
context="$(mktemp -d)"
container=""
cleanup() {
  if [ -n "$container" ]; then
    "${podman[@]}" rm -f "$container" > /dev/null 2>&1 || true
  fi
  rm -rf "$context"
}
trap cleanup EXIT
cp -R "$release_dir/." "$context/"
# The last stage, copying from the context instead of the builder stage.
last_from="$(grep -n '^FROM ' Dockerfile | tail -1 | cut -d: -f1)"
tail -n "+$last_from" Dockerfile \
  | sed -e 's|^COPY --from=builder /usr/local/bin/igemoji |COPY igemoji |' \
        -e 's|^COPY --from=builder /out/licenses/ |COPY licenses/ |' > "$context/Containerfile"
if grep -q -- '--from=' "$context/Containerfile"; then
  echo "the runtime stage copies something new from the builder; teach this script" >&2
  exit 1
fi
podman build --quiet --format docker --pull=never --network host --runtime runc \
  --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
  -f "$context/Containerfile" -t "$image" "$context" > /dev/null

echo "== running it"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
admin_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
container="$("${podman[@]}" run -d --network host \
  --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
  -e IGEMOJI__SERVER__BIND="127.0.0.1:$port" \
  -e IGEMOJI__ADMIN__BIND="127.0.0.1:$admin_port" \
  "$image" 2> >(grep -v "systemd" >&2))"
base="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "$base/healthz" 2> /dev/null && break
  sleep 0.5
done
if ! curl -fsS -o /dev/null "$base/healthz"; then
  "${podman[@]}" logs "$container" | tail -20 >&2
  echo "the container does not answer /healthz" >&2
  exit 1
fi
echo "/healthz answers"

# The image's own HEALTHCHECK, run by podman inside the container.
"${podman[@]}" healthcheck run "$container"
echo "the image's HEALTHCHECK passes"
uid="$("${podman[@]}" exec "$container" sh -c 'stat -c %u /proc/1')"
[ "$uid" = 10001 ] || { echo "the service runs as uid $uid, not 10001" >&2; exit 1; }
echo "the service runs as uid 10001"

emoji_id="$(curl -fsS "$base/api/v1/emojis/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')"
task_id="$(curl -fsS -F "emoji_id=$emoji_id" -F "image=@tests/fixtures/photos/faceapi_sample3.jpg" \
  "$base/api/v1/faces/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["task_id"])')"
task="$(curl -fsS "$base/api/v1/faces/tasks/$task_id?wait=10")"
echo "$task" | python3 -c '
import json, sys
task = json.load(sys.stdin)
assert task["status"] == "done", task
assert task["faces"], task
faces = task["faces"]
first = faces[0]["expression"]
print(f"one photo analysed in the container: {len(faces)} face(s), the first {first}")
'
"${podman[@]}" stop -t 35 "$container" > /dev/null
echo "container check passed"
