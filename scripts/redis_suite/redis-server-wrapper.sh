#!/bin/bash
# Stands in for src/redis-server in Redis' test suite. With a config file (what the suite's
# start_server writes): starts a real redis-server on the port 20000 above the test's, then
# becomes `authgate serve --config <that file> --upstream` in front of it, keeping this pid
# (the suite kills and restarts servers by pid, and rewrites and rereads that file). With only
# options (the suite's `exec src/redis-server --user ...` startup checks): authgate serve.
set -u
case "${1:-}" in --*|"") exec "$AUTHGATE_BIN" serve "$@";; esac
cfg=$1; shift
port=$(awk '$1=="port"{print $2}' "$cfg")
up=$((port + 20000))
# A restart (the suite kills authgate and runs this again) replaces the previous upstream,
# which its watcher may not have stopped yet: stop it and wait until its port is free.
if [ -f "$cfg.upstream.pid" ]; then kill -9 "$(cat "$cfg.upstream.pid")" 2>/dev/null; fi
for _ in $(seq 1 200); do redis-cli -p "$up" ping >/dev/null 2>&1 || break; sleep 0.05; done
redis-server --port "$up" --bind 127.0.0.1 --save '' --appendonly no --enable-debug-command yes \
	--logfile "$cfg.upstream.log" </dev/null >/dev/null 2>&1 &
upstream=$!
echo "$upstream" > "$cfg.upstream.pid"
me=$$
# The upstream goes when authgate (this pid, after exec) goes.
(while kill -0 "$me" 2>/dev/null; do sleep 0.2; done; kill -9 "$upstream") </dev/null >/dev/null 2>&1 &
for _ in $(seq 1 200); do redis-cli -p "$up" ping >/dev/null 2>&1 && break; sleep 0.05; done
# The suite waits for this line on standard output before it looks for "Ready to accept".
echo " PID: $$"
exec "$AUTHGATE_BIN" serve --config "$cfg" --upstream "redis://127.0.0.1:$up" "$@"
