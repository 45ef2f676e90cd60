#!/usr/bin/env bash
# The end-to-end client image: Debian python3 (mmdebstrap, no registry) + the Dapr Python SDK from PyPI
# + app.py and scale_to_zero.py (the scale_to_zero scenario's subscriber, publisher and counter). Cached: rebuilt
# only when one of them, requirements.txt or this script change.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
IMAGE=${E2E_IMAGE:-daprkit/e2e-client:0.1.0}
HASH=$(cat "$HERE/app.py" "$HERE/scale_to_zero.py" "$HERE/requirements.txt" "$0" | sha256sum | cut -c1-16)
if [ "$(docker image inspect -f '{{ index .Config.Labels "daprkit.e2e.hash" }}' "$IMAGE" 2>/dev/null)" = "$HASH" ]; then
  echo "$IMAGE: up to date"; exit 0
fi
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
python3 -m pip install --quiet --no-warn-conflicts --disable-pip-version-check --target "$WORK/site" --python-version 3.11 --only-binary=:all: -r "$HERE/requirements.txt"
cp "$HERE/app.py" "$HERE/scale_to_zero.py" "$WORK/"
mmdebstrap --variant=minbase --include=python3,ca-certificates --format=tar --quiet \
  --customize-hook="mkdir -p \"\$1/opt/e2e\" && cp -r $WORK/site \"\$1/opt/e2e/site\" && cp $WORK/app.py $WORK/scale_to_zero.py \"\$1/opt/e2e/\"" \
  --customize-hook="rm -rf \"\$1\"/var/lib/apt/lists/* \"\$1\"/usr/share/doc/* \"\$1\"/usr/share/man/*" \
  bookworm "$WORK/rootfs.tar" "deb http://deb.debian.org/debian bookworm main"
docker import -c 'ENV PYTHONPATH=/opt/e2e/site' -c 'USER 65532' -c 'CMD ["python3", "/opt/e2e/app.py", "serve"]' \
  -c "LABEL daprkit.e2e.hash=$HASH" "$WORK/rootfs.tar" "$IMAGE" >/dev/null
echo "$IMAGE: built"
