#!/usr/bin/env bash
# Runs inside the container (run.sh enters it): installs Condenser as `condenser install` does on a real host and
# checks the installed units live. Prints "CHECK name: PASS|FAIL detail" lines, then "ALL CHECKS RAN"; exits with
# the number of failures. The checkout is at /src, its .build at /build (both read-only), these scripts at /pid1,
# ../shared/corpus at /corpus when the checkout has one next to it.
set -u
export SYSTEMD_PAGER= SYSTEMD_COLORS=0 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
U=condenser.service
CONFIG=/etc/condenser/condenser.toml
FAILS=0
ok()   { echo "CHECK $1: PASS ${2:-}"; }
bad()  { echo "CHECK $1: FAIL ${2:-}"; FAILS=$((FAILS+1)); }
h()    { echo; echo "=== $*"; }
prop() { systemctl show -P "$1" "${2:-$U}"; }
curlc(){ curl -sS -m 30 "$@"; }
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
# The journal from here on: `since $(mark)`.
mark() { journalctl -q -n1 --show-cursor -o cat | sed -n 's/^-- cursor: //p'; }
since() { journalctl -q --no-pager --after-cursor="$1" "${@:2}"; }
# What must not appear: journal priority warning or worse, the daemon's own warning/error/critical lines (its
# level is in the text too, for lines that reach the journal by another way), libdispatch's complaints.
LEVEL='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+[+-][0-9]{4} (warning|error|critical) '
problems() { # problems CURSOR: the unit's lines since CURSOR that are a warning or worse
  # (-p with --after-cursor matches nothing, so priorities are filtered here.)
  { since "$1" -u $U -o json | python3 -c 'import sys, json
for entry in map(json.loads, sys.stdin):
    if int(entry.get("PRIORITY", "6")) <= 4: print(entry.get("MESSAGE"))'
    since "$1" -u $U -o cat | grep -E "$LEVEL|Failed to set thread priority"; } | sort -u
}
# set_key SECTION KEY VALUE: sets KEY in [SECTION] ("" for the top level) of the configuration file.
set_key() {
  python3 - "$CONFIG" "$@" <<'PY'
import re, sys
path, section, key, value = sys.argv[1:]
lines, done = open(path).read().split("\n"), False
# The key's own line first; a commented-out one (an example in a comment) only when there is none.
for pattern in (r"\s*%s\s*=", r"\s*#?\s*%s\s*="):
    current = ""
    for i, line in enumerate(lines):
        m = re.match(r"\s*\[([^\]]+)\]", line)
        if m:
            current = m.group(1).strip()
        elif current == section and re.match(pattern % re.escape(key), line) and not done:
            lines[i], done = "%s = %s" % (key, value), True
if not done:
    sys.exit("no %s in [%s] of %s" % (key, section, path))
open(path, "w").write("\n".join(lines))
PY
}
MID=$(sed -nE 's/^-- ([0-9a-f]{32})$/\1/p' /src/systemd/condenser.catalog | head -1)
SUBJECT=$(sed -nE 's/^Subject: ([^@]*)@.*/\1/p' /src/systemd/condenser.catalog | head -1)

h "install from the checkout's $BUILD build"
cd /src && /build/$BUILD/condenser install --prefix /usr/local && ok install || bad install
bundles=$(cd /usr/local/bin && ls -d ./*.resources 2>/dev/null | tr '\n' ' ')
[[ "$bundles" == *Condenser_CondenserCore.resources* ]] && [[ "$bundles" != *Tests.resources* ]] \
  && ok install-resources "$bundles" || bad install-resources "in /usr/local/bin: '$bundles'"
# The unit hides /home, /root and /run/user (ProtectHome=): a debug build's Swift runtime must not live there.
libs=$(ldd /usr/local/bin/condenser 2>&1)
if grep -q 'not found' <<<"$libs"; then bad runtime-readable "$(grep 'not found' <<<"$libs" | head -2)"
elif grep -qE '=> (/home|/root|/run/user)/' <<<"$libs"; then bad runtime-readable "libraries under a directory ProtectHome= hides: $(grep -m1 -oE '=> (/home|/root|/run/user)/[^ ]+' <<<"$libs")"
else ok runtime-readable "$(grep -m1 -oE '/[^ ]*libswiftCore.so' <<<"$libs" || echo 'the Swift runtime linked in')"; fi
# A debug build compresses several times slower than a release build: a budget it can meet on a busy machine
# (the check is that the installed daemon compresses, not how fast).
# SwiftPM's resource accessor falls back to the build directory baked into the binary: hide it (and the
# checkout's), so every check below runs the installed copy on its own, as on a host without the checkout.
baked=$(grep -a -o -m1 -E '/[[:graph:]]*/Condenser_CondenserCore\.resources' /usr/local/bin/condenser | grep -v '^/usr/local/' | head -1)
hidden=
for dir in "$(dirname "${baked:-/nonexistent/x}")" "$(readlink -f /src/.build/$BUILD)"; do
  [ -d "$dir" ] && mount -t tmpfs -o ro,size=4k tmpfs "$dir" && hidden="$hidden $dir"
done
/usr/local/bin/condenser --help >/dev/null 2>&1 && [ -n "$hidden" ] && ok installed-copy-stands-alone "hid$hidden" \
  || bad installed-copy-stands-alone "baked path '${baked:-none}', hid '${hidden:-nothing}'"
set_key upstream url '"http://127.0.0.1:9999/v1"' && set_key "" idle_exit_seconds 40 \
  && set_key compression time_budget_ms 5000 || bad config-edit
systemctl daemon-reload
systemd-analyze verify /etc/systemd/system/condenser.socket /etc/systemd/system/$U && ok verify || bad verify
systemctl enable --now condenser.socket 2>&1
[ "$(prop ActiveState condenser.socket)" = active ] && ok socket-listening || bad socket-listening
[ "$(prop ActiveState)" = inactive ] && ok service-waits-for-a-connection || bad service-waits-for-a-connection "$(prop ActiveState)"

h "upstream on 127.0.0.1:9999"
systemd-run -q --unit=mock-upstream /usr/bin/python3 /pid1/mock_upstream.py 9999
for _ in $(seq 1 50); do curl -s -m 1 -o /dev/null -X DELETE http://127.0.0.1:9999/_recorded && break; sleep 0.2; done

h "socket activation, as the unit's own user"
START=$(mark)
code4=$(curlc -o /dev/null -w '%{http_code}' http://127.0.0.1:8642/healthz)
PID1=$(prop MainPID)
uid=$(awk '/^Uid:/ {print $2}' /proc/"$PID1"/status 2>/dev/null)
[ "$code4" = 200 ] && [ -n "$uid" ] && [ "$uid" != 0 ] && [ "$(prop DynamicUser)" = yes ] \
  && ok activation-ipv4 "MainPID=$PID1 user=$(prop User) uid=$uid" \
  || bad activation-ipv4 "code=$code4 uid=${uid:-none}; $(since "$START" -u $U -o cat | grep -i -m2 -E 'error|denied|closed')"
code6=$(curlc -m 5 -o /dev/null -w '%{http_code}' 'http://[::1]:8642/healthz')
[ "$code6" = 200 ] && [ "$(prop MainPID)" = "$PID1" ] && ok serves-ipv6 || bad serves-ipv6 "code=$code6"
# Type=notify: systemd logs "Started" only once READY=1 came.
[ "$(prop Type)" = notify ] && [ "$(prop SubState)" = running ] && since "$START" -u $U -o cat | grep -q '^Started ' \
  && ok notify-ready || bad notify-ready "Type=$(prop Type) SubState=$(prop SubState)"
[ "$(prop LimitNOFILE)" -ge 4096 ] && [ "$(awk '/open files/ {print $4}' /proc/"$PID1"/limits)" = "$(prop LimitNOFILE)" ] \
  && ok descriptor-limit "LimitNOFILE=$(prop LimitNOFILE)" || bad descriptor-limit "$(grep 'open files' /proc/"$PID1"/limits)"

h "a compressible request"
if [ -f /corpus/dev.jsonl ]; then
  head -1 /corpus/dev.jsonl | python3 -c 'import json,sys; json.dump(json.load(sys.stdin)["request"], open("/tmp/req.json","w"))'
else
  python3 - <<'PY'
import json
log = "\n".join("\x1b[32m[%3d%%]\x1b[0m building target_%d" % (i, i % 7) for i in range(400))
json.dump({"model": "gpt-4o", "messages": [{"role": "user", "content": "build it"},
  {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "run", "arguments": "{}"}}]},
  {"role": "tool", "tool_call_id": "c1", "content": log}, {"role": "user", "content": "what failed?"}]}, open("/tmp/req.json", "w"))
PY
fi
curlc -o /dev/null -X DELETE http://127.0.0.1:9999/_recorded
code=$(curlc -D /tmp/h1 -o /tmp/b1 -w '%{http_code}' -H 'Content-Type: application/json' --data @/tmp/req.json http://127.0.0.1:8642/v1/chat/completions)
saved=$(grep -i '^x-condenser-tokens-saved:' /tmp/h1 | tr -dc 0-9)
sent=$(curlc http://127.0.0.1:9999/_recorded | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r[-1]["bytes"] if r else 0)')
[ "$code" = 200 ] && [ "${saved:-0}" -gt 0 ] && [ "$sent" -gt 0 ] && [ "$sent" -lt "$(stat -c %s /tmp/req.json)" ] \
  && ok compressed "saved=$saved tokens; $(stat -c %s /tmp/req.json) bytes in, $sent upstream" \
  || bad compressed "code=$code saved=${saved:-none} upstream bytes=$sent; $(since "$START" -u $U -o cat | grep -m1 -E 'tokens|failed open')"
sleep 1
ST=$(prop StatusText)
[[ "$ST" == *saved* ]] && ok status-line "$ST" || bad status-line "'$ST'"

h "journal"
n=$(journalctl -o export --no-pager MESSAGE_ID="$MID" | grep -c '^CONDENSER_TOKENS_SAVED=')
[ "$n" -ge 1 ] && ok journal-record "$n record(s)" || bad journal-record
journalctl -x --no-pager MESSAGE_ID="$MID" | grep -qF -- "$SUBJECT" && ok catalog "'$SUBJECT...'" || bad catalog "no '$SUBJECT' in journalctl -x"
condenser report --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["total"]["requests"] >= 1' 2>/dev/null \
  && ok report-root || bad report-root "$(condenser report 2>&1 | head -2)"
out=$(as_nobody condenser report 2>&1)
grep -q -E 'systemd-journal|root' <<<"$out" && ok report-unprivileged-hint "$(grep -m1 -E 'systemd-journal|root' <<<"$out")" \
  || bad report-unprivileged-hint "no hint: $(head -2 <<<"$out")"
warnings=$(problems "$START")
[ -z "$warnings" ] && ok no-warnings-at-start || bad no-warnings-at-start "$(wc -l <<<"$warnings") lines: $(head -1 <<<"$warnings")"
status=$(systemctl status --no-pager -n 20 $U 2>&1)
if grep -q 'Active: active (running)' <<<"$status" && ! grep -q -E "$LEVEL|Failed to set thread priority|denied" <<<"$status"; then ok status-clean
else bad status-clean "$(grep -m2 -E "Active:|$LEVEL|Failed to set thread priority|denied" <<<"$status")"; fi

h "a foreground serve as an unprivileged user (what a --user install runs)"
setpriv --reuid=nobody --regid=nogroup --clear-groups condenser serve --listen 127.0.0.1:8652 --upstream http://127.0.0.1:9999/v1 >/tmp/user.log 2>&1 &
UPID=$!
for _ in $(seq 1 100); do curl -s -m 1 -o /dev/null http://127.0.0.1:8652/healthz && break; sleep 0.2; done
code=$(curlc -m 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:8652/healthz)
post=$(curlc -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data @/tmp/req.json http://127.0.0.1:8652/v1/chat/completions)
[ "$code" = 200 ] && [ "$post" = 200 ] && [ "$(stat -c %U /proc/$UPID)" = nobody ] && ok unprivileged-serve \
  || bad unprivileged-serve "healthz=$code chat=$post: $(tail -2 /tmp/user.log)"
kill "$UPID" 2>/dev/null; wait "$UPID" 2>/dev/null

h "reload"
M=$(mark)
set_key compression mode '"aggressive"'
systemctl reload $U; sleep 1
[ "$(prop MainPID)" = "$PID1" ] && [ "$(prop ActiveState)" = active ] && since "$M" -u $U -o cat | grep -q 'mode=aggressive.*Reloaded' \
  && ok reload "mode=aggressive in force, same process" || bad reload "$(prop ActiveState); $(since "$M" -u $U -o cat | tail -2)"
M=$(mark)
cp $CONFIG /tmp/good.toml
echo 'mode = "bogus"' >> $CONFIG
systemctl reload $U; sleep 1
code=$(curlc -m 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:8642/healthz)
[ "$(prop MainPID)" = "$PID1" ] && [ "$(prop ActiveState)" = active ] && [ "$code" = 200 ] \
  && problems "$M" | grep -q 'error .*Reload failed' \
  && ok reload-bad-file-keeps-running "$(problems "$M" | grep -m1 -o 'error=.*' | cut -c1-150)" \
  || bad reload-bad-file-keeps-running "$(prop ActiveState) healthz=$code; $(since "$M" -u $U -o cat | tail -2)"
# The daemon prefixes its lines with <N> when stderr is the journal, so an error is filed at priority err.
# (Not `since`: journalctl's --after-cursor and -p together match nothing.)
grep -q 'Reload failed' <<<"$(journalctl -q --no-pager -u $U -p err -o cat)" && ok error-priority \
  || bad error-priority "journalctl -p err has no 'Reload failed' line: $(since "$M" -u $U -o cat | grep -m1 'Reload failed')"
cp /tmp/good.toml $CONFIG; set_key compression mode '"safe"'; systemctl reload $U

h "the upstream-key credential"
install -m 0600 /dev/stdin /etc/condenser/upstream-key <<<'sk-from-credential'
systemctl restart $U; sleep 1
curlc -o /dev/null -X DELETE http://127.0.0.1:9999/_recorded
curlc -o /dev/null -H 'Content-Type: application/json' -d '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}' http://127.0.0.1:8642/v1/chat/completions
A=$(curlc http://127.0.0.1:9999/_recorded | python3 -c 'import json,sys; r=json.load(sys.stdin); print([{k.lower(): v for k, v in x["headers"].items()}.get("authorization") for x in r])')
[[ "$A" == "['Bearer sk-from-credential']" ]] && ok credential || bad credential "upstream saw $A"
PID2=$(prop MainPID)

if [ "${QUICK:-0}" != 1 ]; then
  h "watchdog, idle exit and re-activation"
  W0=$(prop WatchdogTimestampMonotonic); sleep 35; W1=$(prop WatchdogTimestampMonotonic)
  # 35 s is past WatchdogSec=30: a daemon that stopped pinging would have been killed and restarted by now.
  [ "$(prop WatchdogUSec)" != 0 ] && [ "$(prop MainPID)" = "$PID2" ] && [ "$(prop NRestarts)" = 0 ] && [ "$W1" -gt "$W0" ] \
    && ok watchdog "WatchdogSec=$(prop WatchdogUSec), pinged" || bad watchdog "$W0 -> $W1, NRestarts=$(prop NRestarts)"
  for _ in $(seq 1 40); do [ "$(prop ActiveState)" = active ] || break; sleep 1; done
  [ "$(prop ActiveState)" = inactive ] && [ "$(prop Result)" = success ] && [ "$(prop ActiveState condenser.socket)" = active ] \
    && ok idle-exit || bad idle-exit "$(prop ActiveState) $(prop Result)"
  code=$(curlc -o /dev/null -w '%{http_code}' 'http://[::1]:8642/healthz')
  [ "$code" = 200 ] && [ "$(prop MainPID)" != "$PID2" ] && [ "$(prop ActiveState)" = active ] \
    && ok reactivation "over IPv6, MainPID=$(prop MainPID)" || bad reactivation "code=$code"
fi

h "stop"
M=$(mark)
systemctl stop $U
[ "$(prop Result)" = success ] && [ "$(prop ExecMainStatus)" = 0 ] && since "$M" -u $U -o cat | grep -q 'Stopped' \
  && ok clean-stop || bad clean-stop "Result=$(prop Result) status=$(prop ExecMainStatus)"
[ "$(prop ActiveState condenser.socket)" = active ] && ok socket-survives-stop || bad socket-survives-stop

h "the whole run"
# Only the deliberately bad file's reload may log at warning or above.
warnings=$(problems "$START" | grep -v 'Reload failed')
[ -z "$warnings" ] && ok no-warnings-in-the-run || bad no-warnings-in-the-run "$(wc -l <<<"$warnings") lines: $(head -1 <<<"$warnings")"
echo "exposure: $(systemd-analyze security --no-pager $U | tail -1)"
echo; echo "FAILED CHECKS: $FAILS"
echo "ALL CHECKS RAN"
exit $FAILS
