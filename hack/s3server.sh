#!/usr/bin/env bash
# Builds the local S3 server (Versity's S3 gateway, posix backend) from Go
# sources, once per version, like hack/controlplane.sh does for Kubernetes.
#
#   hack/s3server.sh dir     prints the binary's path (built or not)
#   hack/s3server.sh build   builds it when missing, showing progress
#
# The path is bin/s3server/versitygw-<version>.<go version>/versitygw, so a
# version bump in hack/tools/s3 builds a new one and a warm run builds nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$root/hack/tools/s3
version=$(cd "$tools" && go list -m -f '{{.Version}}' github.com/versity/versitygw)
gover=$(go env GOVERSION)
out=$root/bin/s3server/versitygw-$version.$gover/versitygw

case "${1:-}" in
dir)
	echo "$out"
	;;
build)
	if [ -x "$out" ]; then
		echo "S3 server (versitygw $version): cached"
		exit 0
	fi
	mkdir -p "$(dirname "$out")"
	start=$SECONDS
	echo "S3 server (versitygw $version): building from source (the first build takes minutes)..."
	(cd "$tools" && go build -o "$out.tmp" github.com/versity/versitygw/cmd/versitygw) || {
		echo "error: building versitygw failed; the go output above says why. Check disk space (df -h) and the module proxy." >&2
		exit 1
	}
	mv "$out.tmp" "$out"
	echo "S3 server: built in $((SECONDS - start))s"
	;;
*)
	echo "usage: $0 dir|build" >&2
	exit 2
	;;
esac
