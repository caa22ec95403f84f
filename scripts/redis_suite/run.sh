#!/bin/bash
# Runs redis-server 7.0.15's own ACL and AUTH test units (tests/unit/acl.tcl, acl-v2.tcl,
# auth.tcl from Debian's source package of the redis-server this machine runs) against
# authgate: every server those tests start is `authgate serve --upstream` in front of a real
# redis-server (see redis-server-wrapper.sh), so the tests' data commands, scripts and
# replication have a real Redis behind them and everything ACL/AUTH is authgate's.
#
# Usage: run.sh AUTHGATE_BIN WORKDIR [UNIT...]   (default units: acl acl-v2 auth)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "$1"); work=$2; shift 2
units=("$@"); [ ${#units[@]} -gt 0 ] || units=(acl acl-v2 auth)
version=7.0.15
mkdir -p "$work"
src="$work/redis-$version"
if [ ! -x "$src/runtest" ]; then
	# Debian's source package (apt's deb-src for bookworm, in a private apt state under $work):
	# the same release as the redis-server package, with its own test suite.
	mkdir -p "$work/apt/lists/partial"
	printf 'deb-src http://deb.debian.org/debian bookworm main\ndeb-src http://deb.debian.org/debian-security bookworm-security main\n' > "$work/apt/sources.list"
	apt_opts=(-o "Dir::Etc::sourcelist=$work/apt/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$work/apt/lists" -o APT::Sandbox::User=root)
	apt-get "${apt_opts[@]}" update -qq
	(cd "$work" && apt-get "${apt_opts[@]}" source --download-only -qq redis)
	# The release of the installed redis-server (Debian's package version is 7.0.15-1~deb12uN).
	tar -xzf "$work/redis_$version.orig.tar.gz" -C "$work"
	test -x "$src/runtest"
fi
mkdir -p "$src/src"
install -m 0755 "$here/redis-server-wrapper.sh" "$src/src/redis-server"
ln -sf "$(command -v redis-cli)" "$src/src/redis-cli"
ln -sf "$(command -v redis-benchmark)" "$src/src/redis-benchmark"
args=()
for u in "${units[@]}"; do args+=(--single "unit/$u"); done
# Tests that cannot apply to a proxy, each with its reason:
# - Lua runs inside the upstream, so a command a script is denied is logged in the upstream's
#   ACL LOG (with upstream-acl mirror), not in authgate's;
# - replication (MASTERAUTH) is between Redis servers; authgate is not a replica.
skip=("ACL can log errors in the context of Lua scripting" "MASTERAUTH test with binary password")
for t in "${skip[@]}"; do args+=(--skiptest "$t"); done
cd "$src"
AUTHGATE_BIN="$bin" ./runtest --clients 1 --timeout 120 "${args[@]}"
