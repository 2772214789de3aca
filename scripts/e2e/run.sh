#!/usr/bin/env bash
# End-to-end test: the real openai Python SDK -> condenser serve -> a fake upstream.
# Makes a venv in .build/e2e-venv (pip install openai pytest), builds condenser if
# needed, starts both servers on free loopback ports, runs pytest, stops them.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
venv="$root/.build/e2e-venv"
binary="${CONDENSER_BINARY:-$root/.build/debug/condenser}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check openai pytest

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

"$venv/bin/python" scripts/e2e/fake_upstream.py > "$work/fake.port" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/fake.port" ] && break; sleep 0.1; done
fake_port="$(cat "$work/fake.port")"

condenser_port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# An empty configuration file: the defaults, whatever /etc/condenser holds.
: > "$work/condenser.toml"
CONDENSER_LOG_LEVEL=warning "$binary" serve --config "$work/condenser.toml" \
    --listen "127.0.0.1:$condenser_port" --upstream "http://127.0.0.1:$fake_port/v1" 2> "$work/condenser.log" &
pids+=($!)
for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$condenser_port/healthz" > /dev/null 2>&1 && break
    sleep 0.1
done
if ! curl -fsS "http://127.0.0.1:$condenser_port/healthz" > /dev/null 2>&1; then
    echo "condenser did not start:"; cat "$work/condenser.log"; exit 1
fi

export CONDENSER_URL="http://127.0.0.1:$condenser_port/v1"
export FAKE_URL="http://127.0.0.1:$fake_port"
status=0
"$venv/bin/python" -m pytest -q scripts/e2e/test_openai_sdk.py || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- condenser log ---"
    cat "$work/condenser.log"
fi
exit "$status"
