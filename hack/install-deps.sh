#!/usr/bin/env bash
# Installs the Debian packages Bellwork's tests and local platform use when
# they are missing: kubectl, a Postgres server (the tests start their own
# throwaway clusters with it), PgBouncer (tests put one in front of such a
# cluster, as production does) and Chromium (browser tests). Safe to run
# repeatedly; installs nothing when all are there.
set -euo pipefail

missing=()
command -v kubectl >/dev/null 2>&1 || missing+=(kubectl)
have_postgres=false
if bindir=$(pg_config --bindir 2>/dev/null) && [ -x "$bindir/postgres" ]; then have_postgres=true; fi
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null && have_postgres=true
$have_postgres || missing+=(postgresql)
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)

[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "error: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
	sudo=sudo
fi
echo "Installing ${missing[*]} with apt-get (once per machine)..."
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || echo "warning: apt-get update failed; trying the install with the current package lists" >&2
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
	echo "error: could not install ${missing[*]} with apt-get; install them by hand and rerun." >&2
	exit 1
fi
