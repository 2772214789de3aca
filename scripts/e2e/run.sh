#!/usr/bin/env bash
# End-to-end tests with real clients: the openai SDK (chat and Responses), the anthropic
# SDK, the Claude Code CLI (bundled in claude-agent-sdk) and the OpenAI Agents SDK, each
# -> condenser serve -> scripted recording upstreams on loopback.
#
# Makes a venv in .build/e2e-venv, builds condenser if needed, starts the upstreams
# (fake_upstream.py for the OpenAI routes, anthropic_upstream.py for /v1/messages when the
# daemon has upstream.anthropic_url) and one daemon, runs pytest, stops them.
#
# Arguments go to pytest instead of the default scripts/e2e (e.g.
# scripts/e2e/test_claude_code.py -x, or -m compression for the tests of what the
# fronts forward).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
venv="${CONDENSER_E2E_VENV:-$root/.build/e2e-venv}"
binary="${CONDENSER_BINARY:-$root/.build/debug/condenser}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/e2e/requirements.txt

if [ ! -x "$binary" ]; then
    swift build --product condenser
fi

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

start_upstream() { # script name -> prints its port
    "$venv/bin/python" "scripts/e2e/$1" > "$work/$1.port" &
    pids+=($!)
    for _ in $(seq 100); do [ -s "$work/$1.port" ] && break; sleep 0.1; done
}
start_upstream fake_upstream.py
start_upstream anthropic_upstream.py
fake_port="$(cat "$work/fake_upstream.py.port")"
anthropic_port="$(cat "$work/anthropic_upstream.py.port")"

max_body_bytes=4194304
write_config() { # with or without upstream.anthropic_url
    {
        echo "[upstream]"
        echo "url = \"http://127.0.0.1:$fake_port/v1\""
        [ "$1" = with ] && echo "anthropic_url = \"http://127.0.0.1:$anthropic_port\""
        echo "[limits]"
        echo "max_body_bytes = $max_body_bytes"
        echo "[compression]"
        echo "state_directory = \"$work/state\""
        # Over its time budget a request goes upstream uncompressed (fail open): on a busy
        # 2-core machine a cold daemon's first compressions may take longer than the
        # default 50 ms, and what these tests check would then depend on timing.
        echo "time_budget_ms = 10000"
    } > "$work/condenser.toml"
}
# A daemon from before the Anthropic front has no upstream.anthropic_url and sends
# /v1/messages to upstream.url, which fake_upstream.py serves too. (Should the key get
# another name, check-config names it here, the fallback is taken, and the Anthropic
# tests fail reaching the key's default upstream: rename it above.)
write_config with
anthropic_upstream="http://127.0.0.1:$anthropic_port"
if ! "$binary" check-config --config "$work/condenser.toml" > "$work/check.log" 2>&1; then
    if grep -q "upstream.anthropic_url" "$work/check.log"; then
        write_config without
        anthropic_upstream="http://127.0.0.1:$fake_port"
    else
        cat "$work/check.log"; exit 1
    fi
fi

# Root hides bugs (files it may always write, limits it may always raise): as root, the
# daemon runs as nobody.
as_daemon_user=()
if [ "$(id -u)" -eq 0 ] && command -v setpriv > /dev/null && id nobody > /dev/null 2>&1; then
    as_daemon_user=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
    chmod 755 "$work"
    install -d -o nobody "$work/state"
fi

condenser_port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
CONDENSER_LOG_LEVEL=warning "${as_daemon_user[@]}" "$binary" serve --config "$work/condenser.toml" \
    --listen "127.0.0.1:$condenser_port" 2> "$work/condenser.log" &
pids+=($!)
for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$condenser_port/healthz" > /dev/null 2>&1 && break
    sleep 0.1
done
if ! curl -fsS "http://127.0.0.1:$condenser_port/healthz" > /dev/null 2>&1; then
    echo "condenser did not start:"; cat "$work/condenser.log"; exit 1
fi

# The clients talk to the daemon alone, with the tests' keys, whatever the caller's shell holds.
unset ANTHROPIC_API_KEY ANTHROPIC_AUTH_TOKEN ANTHROPIC_BASE_URL OPENAI_API_KEY OPENAI_BASE_URL
export CONDENSER_URL="http://127.0.0.1:$condenser_port/v1"
export FAKE_URL="http://127.0.0.1:$fake_port"
export ANTHROPIC_UPSTREAM_URL="$anthropic_upstream"
export CONDENSER_MAX_BODY_BYTES="$max_body_bytes"
export CONDENSER_E2E_WORK="$work"
# For the tests that start daemons of their own.
export CONDENSER_BINARY="$binary"
export CONDENSER_CONFIG="$work/condenser.toml"
export CONDENSER_DAEMON_PREFIX="${as_daemon_user[*]}"
status=0
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(scripts/e2e)
"$venv/bin/python" -m pytest -q -p no:cacheprovider "${targets[@]}" || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- condenser log ---"
    cat "$work/condenser.log"
fi
exit "$status"
