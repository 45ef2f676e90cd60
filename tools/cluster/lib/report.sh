#!/usr/bin/env bash
# Print the measured figures: per-step wall time and peak RSS (last run of each step), and
# disk used by caches and images.
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
echo "== per step (last run): wall time, peak RSS  [$LOG_DIR/timings.tsv]"
awk -F'\t' '{last[$2]=$3} END {for (s in last) printf "%-32s %s\n", s, last[s]}' "$LOG_DIR/timings.tsv" | sort
echo "== disk"
du -sh "$DAPRKIT_CACHE" "$(go env GOMODCACHE)" "$(go env GOCACHE)" 2>/dev/null
docker system df
echo "== images"
docker images --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | grep -E 'daprkit|registry.k8s.io' | sort
