#!/usr/bin/env bash
# Starts the local control plane in the background (make cluster-up) and
# waits until it serves. State and logs are in .local/cluster, the kubeconfig
# is .local/kubeconfig.
set -euo pipefail
cd "$(dirname "$0")/.."
state=.local/cluster
mkdir -p "$state"

if [ -f "$state/ready" ] && kill -0 "$(cat "$state/ready")" 2>/dev/null; then
	echo "The local control plane is already running. kubeconfig: $PWD/.local/kubeconfig"
	exit 0
fi

hack/controlplane.sh build
go build -o bin/localcluster ./hack/localcluster
echo "Starting the local control plane (log: $state/supervisor.log)..."
nohup bin/localcluster -state "$state" -write-kubeconfig .local/kubeconfig > "$state/supervisor.log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do
	if [ -f "$state/ready" ]; then
		echo "Local control plane running (pid $pid)."
		echo "  kubeconfig: $PWD/.local/kubeconfig"
		echo "  try:        export KUBECONFIG=$PWD/.local/kubeconfig; kubectl get nodes; kubectl get crds"
		echo "  stop with:  make cluster-down"
		exit 0
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "error: the local control plane did not start:" >&2
		tail -n 20 "$state/supervisor.log" >&2
		exit 1
	fi
	sleep 0.5
done
echo "error: the local control plane did not become ready within 2 minutes; see $state/supervisor.log and $state/logs/" >&2
kill "$pid" 2>/dev/null || true
exit 1
