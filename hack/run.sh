#!/usr/bin/env bash
# make run: brings the platform up locally in the foreground. Ctrl-C stops
# everything this script started; data stays in .local/ for the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
state=$root/.local/cluster
export KUBECONFIG=$state/kubeconfig

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Checking system packages"
hack/install-deps.sh

step "Building the local control plane (cached after the first build)"
hack/controlplane.sh build

step "Building the operator"
go build -o bin/localcluster ./hack/localcluster
go build -o bin/bellwork .

pids=()
cleanup() {
	trap - INT TERM EXIT
	printf '\nStopping...\n'
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill -TERM "${pids[$i]}" 2>/dev/null || true
		wait "${pids[$i]}" 2>/dev/null || true
	done
	echo "Stopped. Data is kept in .local/; 'make run' resumes."
}
trap cleanup EXIT
trap 'exit 0' INT TERM

if [ -f "$state/ready" ] && kill -0 "$(cat "$state/ready")" 2>/dev/null; then
	step "Using the local control plane already running (make cluster-up)"
else
	step "Starting the local control plane"
	mkdir -p "$state"
	bin/localcluster -state "$state" > "$state/supervisor.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 1 240); do
		[ -f "$state/ready" ] && break
		kill -0 "${pids[0]}" 2>/dev/null || { echo "error: the control plane did not start:" >&2; tail -n 20 "$state/supervisor.log" >&2; exit 1; }
		sleep 0.5
	done
	[ -f "$state/ready" ] || { echo "error: the control plane did not start within 2 minutes; see $state/supervisor.log" >&2; exit 1; }
fi

step "Applying config/samples/"
kubectl apply -f config/samples/

cat <<MSG

Bellwork's local control plane is up.
  kubeconfig:  $KUBECONFIG
  try:         export KUBECONFIG=$KUBECONFIG
               kubectl get bellwork -A
               kubectl explain tenant.spec.database
               kubectl get tenants -o wide
Logs of the control plane components: $state/logs/
The operator runs below; Ctrl-C stops everything.
MSG

step "Running the operator"
bin/bellwork --metrics-bind-address=127.0.0.1:18080 --health-probe-bind-address=127.0.0.1:18081 &
pids+=($!)
wait "${pids[-1]}"
