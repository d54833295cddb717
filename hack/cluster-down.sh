#!/usr/bin/env bash
# Stops the local control plane started by make cluster-up. Data is kept in
# .local/cluster, so the next make cluster-up resumes where this one stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
ready=.local/cluster/ready
if [ ! -f "$ready" ]; then
	echo "The local control plane is not running."
	exit 0
fi
pid=$(cat "$ready")
if ! kill -0 "$pid" 2>/dev/null; then
	rm -f "$ready"
	echo "The local control plane is not running."
	exit 0
fi
kill -TERM "$pid"
for _ in $(seq 1 60); do
	kill -0 "$pid" 2>/dev/null || { echo "Local control plane stopped (data kept in .local/cluster)."; exit 0; }
	sleep 0.5
done
echo "The control plane did not stop in 30s; killing it." >&2
kill -KILL "$pid" 2>/dev/null || true
