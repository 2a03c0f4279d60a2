#!/usr/bin/env bash
# Verifies the container image without a Docker engine or a registry: makes a
# Debian JRE base image from Debian's packages (mmdebstrap), builds the
# application's image on it with Jib (the pom's jib-maven-plugin, the same
# image as the Dockerfile's), unpacks it, runs its entrypoint as its user in a
# chroot with /proc mounted, and gets a run_view answer from it. Prints the
# image's size and start time. Needs root (chroot, mount) and a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$PWD/target/check-container"
rootfs="$work/rootfs"
# Unmounts everything mounted under the work directory, deepest first, even what an earlier run that was killed
# left mounted; fails rather than go on while anything is still mounted there.
unmount_all() {
  local targets
  targets=$(findmnt -rn -o TARGET | grep -F "$work/" | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2- || true)
  for m in $targets; do umount "$m" 2>/dev/null || umount -l "$m" || true; done
  # grep reads all of findmnt's output (not -q, which under pipefail could fail findmnt with SIGPIPE)
  if findmnt -rn -o TARGET | grep -F "$work/" > /dev/null; then
    echo "still mounted under $work:"; findmnt -rn -o TARGET | grep -F "$work/"; return 1
  fi
}
cleanup() {
  if [ -n "${pid:-}" ]; then kill -TERM "$pid" 2>/dev/null || true; sleep 2; kill -KILL "$pid" 2>/dev/null || true; fi
  unmount_all
}
trap cleanup EXIT
cleanup
# --one-file-system: never descends into a mount (the host's /dev or /proc), should one remain
rm -rf --one-file-system "$work" && mkdir -p "$work"

command -v mmdebstrap > /dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap > /dev/null; }

echo "== base image: Debian with openjdk-17-jre-headless, from Debian's packages"
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
# the host's Debian mirror (active source files only), else Debian's own
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
  | grep -oE '^(deb|URIs:) +[^ ]+' | awk '{print $2}' | grep -E '/debian/?$' | head -1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
mmdebstrap --quiet --variant=minbase --include=openjdk-17-jre-headless,ca-certificates \
  "$suite" "$work/base-rootfs.tar" "$mirror"

# an image tarball (docker save's format) of that root filesystem, for Jib's tar:// base
python3 - "$work" <<'PY'
import hashlib, json, os, sys, tarfile
work = sys.argv[1]
layer = os.path.join(work, "base-rootfs.tar")
digest = hashlib.sha256()
with open(layer, "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        digest.update(block)
config = {"architecture": "amd64", "os": "linux",
          "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                             "LANG=C.UTF-8"]},
          "rootfs": {"type": "layers", "diff_ids": ["sha256:" + digest.hexdigest()]}}
config_bytes = json.dumps(config).encode()
config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
manifest = [{"Config": config_name, "RepoTags": ["local/debian-jre:17"], "Layers": ["layer.tar"]}]
with tarfile.open(os.path.join(work, "base-image.tar"), "w") as out:
    out.add(layer, arcname="layer.tar")
    for name, data in ((config_name, config_bytes), ("manifest.json", json.dumps(manifest).encode())):
        path = os.path.join(work, name)
        with open(path, "wb") as f:
            f.write(data)
        out.add(path, arcname=name)
PY

echo "== the application's image, built with Jib on that base"
mvn -q -B package jib:buildTar -DskipTests -Djib.from.image="tar://$work/base-image.tar" \
  -Djib.outputPaths.tar="$work/image.tar" -Djib.outputPaths.digest="$work/image.digest" \
  -Djib.outputPaths.imageId="$work/image.id" -Djib.outputPaths.imageJson="$work/image.json"
echo "image: $(du -h "$work/image.tar" | cut -f1) ($(stat -c %s "$work/image.tar") bytes), id $(cat "$work/image.id")"

echo "== unpacking the image and running its entrypoint"
mkdir -p "$rootfs" "$work/image"
tar -xf "$work/image.tar" -C "$work/image"
python3 - "$work/image" "$rootfs" "$work/run.json" <<'PY'
import json, os, sys, tarfile
image, rootfs, out = sys.argv[1:4]
manifest = json.load(open(os.path.join(image, "manifest.json")))[0]
for layer in manifest["Layers"]:
    with tarfile.open(os.path.join(image, layer)) as t:
        t.extractall(rootfs)
config = json.load(open(os.path.join(image, manifest["Config"])))["config"]
json.dump(config, open(out, "w"))
print("entrypoint:", " ".join(config.get("Entrypoint") or []), "| user:", config.get("User"),
      "| ports:", list((config.get("ExposedPorts") or {}).keys()), "| volumes:", list((config.get("Volumes") or {}).keys()))
PY
mount -t proc proc "$rootfs/proc"
# /dev alone, not its submounts (no --rbind), so that one umount takes it away again
mount --bind /dev "$rootfs/dev"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
user=$(python3 -c "import json;print(json.load(open('$work/run.json')).get('User') or '0:0')")
workdir=$(python3 -c "import json;print(json.load(open('$work/run.json')).get('WorkingDir') or '/')")
mapfile -t envs < <(python3 -c "import json;[print(e) for e in json.load(open('$work/run.json')).get('Env',[])]")
mapfile -t entry < <(python3 -c "import json;c=json.load(open('$work/run.json'));[print(a) for a in (c.get('Entrypoint') or [])+(c.get('Cmd') or [])]")
# as shipped, listening on every address, the image does not serve without a credential: it refuses to start
set +e
timeout 120 chroot --userspec="$user" "$rootfs" /usr/bin/env -i "${envs[@]}" CAMEL_SERVER_PORT="$port" \
  WAREHOUSE_EMBEDDED_SAMPLE_TRIPS=20000 /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "${entry[@]}" \
  > "$work/app-anonymous.log" 2>&1
status=$?
set -e
if [ "$status" -eq 0 ] || [ "$status" -eq 124 ] || ! grep -q "API_AUTH_ANONYMOUS_BEYOND_LOOPBACK" "$work/app-anonymous.log"; then
  echo "the image without a credential did not refuse to start (exit $status); see $work/app-anonymous.log"
  tail -20 "$work/app-anonymous.log"; exit 1
fi
echo "without a credential: refused to start (exit $status), saying how to set a token"
token=$(head -c 32 /dev/urandom | base64 | tr -d '=+/')
started=$(date +%s%N)
chroot --userspec="$user" "$rootfs" /usr/bin/env -i "${envs[@]}" CAMEL_SERVER_PORT="$port" \
  API_AUTH_MODE=token API_AUTH_TOKENS="probe:$token" \
  WAREHOUSE_EMBEDDED_SAMPLE_TRIPS=20000 /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "${entry[@]}" \
  > "$work/app.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "the image's entrypoint exited; see $work/app.log"; tail -30 "$work/app.log"; exit 1; fi
  sleep 0.5
done
echo "started in $(( ($(date +%s%N) - started) / 1000000 )) ms (process start to listening, first start with sample generation)"
WS_TOKEN="$token" java scripts/WsProbe.java "ws://127.0.0.1:$port/ws" trip_weather_vw 1 10
grep -o "Sample data set generated in [0-9]* ms" "$work/app.log" || true
echo "container image: OK"
