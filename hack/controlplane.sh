#!/usr/bin/env bash
# Builds the local Kubernetes control plane from Go sources, once per version.
#
#   hack/controlplane.sh dir     prints the folder that holds (or will hold) the binaries
#   hack/controlplane.sh build   builds whatever is missing there, showing progress
#   hack/controlplane.sh crds    prints the folder of CloudNativePG's real CRDs
#
# The folder is bin/controlplane/<versions>/, so a version bump in any of the
# tools modules under hack/tools builds a new set and a warm run rebuilds nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$root/hack/tools

version_of() { # tools-dir module -> the version that tools module requires
	(cd "$tools/$1" && go list -m -f '{{.Version}}' "$2")
}
kube=$(version_of kube k8s.io/kubernetes)
etcd=$(version_of etcd go.etcd.io/etcd/server/v3)
kwok=$(version_of kwok sigs.k8s.io/kwok)
gover=$(go env GOVERSION)
dir=$root/bin/controlplane/k8s-$kube.etcd-$etcd.kwok-$kwok.$gover
cnpg_version=v1.30.0

build_one() { # module-dir package binary-name
	local out=$dir/$3
	if [ -x "$out" ]; then
		echo "  $3: cached"
		return
	fi
	local start=$SECONDS
	echo "  $3: building from source (first build of a version takes minutes)..."
	(cd "$tools/$1" && go build -o "$out.tmp" "$2") || {
		echo "error: building $3 failed; the go output above says why. Check disk space (df -h) and the module proxy." >&2
		exit 1
	}
	mv "$out.tmp" "$out"
	echo "  $3: built in $((SECONDS - start))s"
}

case "${1:-}" in
dir)
	echo "$dir"
	;;
build)
	mkdir -p "$dir"
	echo "Local control plane ($kube, etcd $etcd, kwok $kwok) in ${dir#$root/}"
	build_one kube k8s.io/kubernetes/cmd/kube-apiserver kube-apiserver
	build_one kube k8s.io/kubernetes/cmd/kube-controller-manager kube-controller-manager
	build_one kube k8s.io/kubernetes/cmd/kube-scheduler kube-scheduler
	build_one etcd go.etcd.io/etcd/server/v3 etcd
	build_one kwok sigs.k8s.io/kwok/cmd/kwok kwok
	# kwok's own stage definitions ship in its module; keep the ones we use
	# beside the binary. Pods labelled platform.bellwork.dev/run-locally are
	# left out of kwok's pod stages (but for deletion): the local Job runner
	# (internal/dev/localrunner) runs them for real and reports their status.
	src=$(cd "$tools/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
	{
		for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml "$src"/kustomize/stage/pod/fast/*.yaml; do
			case $f in /*) ;; *) f=$src/kustomize/stage/$f ;; esac
			echo "---"
			cat "$f"
		done
	} | awk '
		/^  name: / { stage = $2 }
		{ print }
		/^    matchExpressions:$/ && stage ~ /^pod-/ && stage != "pod-delete" {
			print "    - key: \x27.metadata.labels[\"platform.bellwork.dev/run-locally\"]\x27"
			print "      operator: \x27DoesNotExist\x27"
		}' > "$dir/kwok-stages.yaml.tmp"
	mv "$dir/kwok-stages.yaml.tmp" "$dir/kwok-stages.yaml"
	;;
crds)
	moddir=$(cd "$root" && go mod download -json "github.com/cloudnative-pg/cloudnative-pg@$cnpg_version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
	[ -d "$moddir/config/crd/bases" ] || { echo "error: CloudNativePG $cnpg_version CRDs not found in the module cache" >&2; exit 1; }
	echo "$moddir/config/crd/bases"
	;;
*)
	echo "usage: $0 dir|build|crds" >&2
	exit 2
	;;
esac
