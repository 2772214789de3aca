#!/usr/bin/env bash
# The real-systemd test. Boots the distribution's systemd as PID 1 in private pid/mount/net/uts/ipc/cgroup
# namespaces over an overlay of the host root (writes go to a temporary upper directory: nothing on the host
# changes), installs the checkout's build into it with `condenser install`, and checks the installed units live
# (check.sh). Prints "CHECK name: PASS|FAIL detail" lines; exits 1 if any check failed or the run broke off.
#
#   scripts/systemd-pid1/run.sh [CHECKOUT]   CHECKOUT: a built checkout (default: this one)
#   BUILD=release   test .build/release/condenser (default: debug, the build `make test` makes)
#   QUICK=1         skip the watchdog and idle-exit waits (~40 s of ~55 s)
#   KEEP=1          leave the container running (prints how to enter and stop it)
#   CONDENSER_PID1=require   a missing prerequisite fails instead of skipping (CI sets it)
#   CONDENSER_REQUIRE_SHARED=1   a missing ../shared/corpus fails instead of falling back to a made-up request
# Needs root with CAP_SYS_ADMIN, unshare/nsenter, overlayfs, a writable cgroup2 mount (on a hybrid host the one
# at /sys/fs/cgroup/unified) and systemd. Without them it says why and exits 0.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "${1:-$HERE/../..}" && pwd)
BUILD=${BUILD:-debug}
export HERE SRC BUILD
started=$(date +%s)

skip() {
  if [ "${CONDENSER_PID1:-}" = require ]; then echo "systemd-pid1: FAIL: cannot run: $*"; exit 1; fi
  echo "systemd-pid1: SKIPPED: $* (this test needs root, namespaces, overlayfs and cgroup2; CI runs it)"
  exit 0
}
[ "$(id -u)" = 0 ] || skip "not root"
for tool in unshare nsenter setpriv ip curl python3 pgrep systemctl journalctl systemd-analyze; do
  command -v "$tool" >/dev/null || skip "no $tool"
done
[ -x /lib/systemd/systemd ] || skip "no /lib/systemd/systemd"
unshare --fork --pid --mount --uts --ipc --net --cgroup true 2>/dev/null || skip "cannot create namespaces"
CGROOT=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
[ -n "$CGROOT" ] || skip "no cgroup2 mount"
CG=$CGROOT/condenser-pid1-$$
mkdir "$CG" 2>/dev/null || skip "cannot create a cgroup under $CGROOT"
rmdir "$CG"
probe=$(mktemp -d /tmp/condenser-pid1-probe.XXXXXX)
mkdir -p "$probe"/{lower,upper,work,merged}
unshare --mount sh -c "mount -t overlay overlay -o lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work $probe/merged" \
  2>/dev/null; overlay=$?
rm -rf "$probe"
[ "$overlay" = 0 ] || skip "cannot mount overlayfs"

[ -x "$SRC/.build/$BUILD/condenser" ] || { echo "systemd-pid1: FAIL: no $SRC/.build/$BUILD/condenser: build it first"; exit 1; }
# Without the corpus the compression check sends a made-up request; CI has it and must send a real one.
if [ "${CONDENSER_REQUIRE_SHARED:-}" = 1 ] && [ ! -f "$SRC/../shared/corpus/dev.jsonl" ]; then
  echo "systemd-pid1: FAIL: $SRC/../shared/corpus/dev.jsonl is missing and CONDENSER_REQUIRE_SHARED=1 requires it"; exit 1
fi

WORK=$(mktemp -d /tmp/condenser-pid1.XXXXXX); export WORK
mkdir -p "$WORK/logs"; : > "$WORK/logs/console.log"
stop_container() {
  if [ -n "${UNSHARE_PID:-}" ] && kill -0 "$UNSHARE_PID" 2>/dev/null; then
    [ -n "${C:-}" ] && kill -s SIGRTMIN+4 "$C" 2>/dev/null      # systemd: poweroff
    for _ in $(seq 1 30); do kill -0 "$UNSHARE_PID" 2>/dev/null || break; sleep 1; done
    kill "$UNSHARE_PID" 2>/dev/null; sleep 1
  fi
  [ -d "$CG" ] && find "$CG" -depth -type d -exec rmdir {} \; 2>/dev/null
  umount -R "$WORK/ovl/merged" 2>/dev/null; rm -rf "$WORK/ovl"
  true
}
[ "${KEEP:-0}" = 1 ] || trap stop_container EXIT
mkdir -p "$CG"
# Into $CG first, then unshare: the new cgroup namespace is rooted at $CG, where systemd manages its own tree.
setsid bash -c "echo \$\$ > $CG/cgroup.procs; exec unshare --fork --kill-child --pid --mount --uts --ipc --net --cgroup $HERE/inner.sh" \
  >>"$WORK/logs/console.log" 2>&1 </dev/null &
UNSHARE_PID=$!
C=
for _ in $(seq 1 50); do C=$(pgrep -P "$UNSHARE_PID" | head -1); [ -n "$C" ] && break; sleep 0.2; done
[ -n "$C" ] || { echo "systemd-pid1: FAIL: the container did not start: $(tail -5 "$WORK/logs/console.log")"; exit 1; }
IN() { nsenter -t "$C" -a "$@"; }
state=
for _ in $(seq 1 60); do
  state=$(IN systemctl is-system-running 2>/dev/null); case "$state" in running|degraded) break;; esac; sleep 1
done
echo "systemd-pid1: container PID 1 is host PID $C; system state: $state"
case "$state" in running|degraded) ;; *) echo "systemd-pid1: FAIL: systemd did not boot: $(tail -5 "$WORK/logs/console.log")"; exit 1;; esac
IN ip link set lo up     # a new network namespace starts with lo down
timeout 600 nsenter -t "$C" -a env QUICK="${QUICK:-0}" BUILD="$BUILD" /bin/bash /pid1/check.sh 2>&1 | tee "$WORK/logs/check.log"
rc=${PIPESTATUS[0]}
IN journalctl -b --no-pager -o short-monotonic > "$WORK/logs/journal.txt" 2>&1
failed=$(grep -c '^CHECK .*: FAIL' "$WORK/logs/check.log")
passed=$(grep -c '^CHECK .*: PASS' "$WORK/logs/check.log")
[ "${KEEP:-0}" = 1 ] && echo "KEEP=1: enter with: nsenter -t $C -a bash; stop with: kill -s SIGRTMIN+4 $C"
echo "systemd-pid1: $passed passed, $failed failed in $(( $(date +%s) - started )) s; logs and the container's journal in $WORK/logs"
if [ "$rc" != 0 ] || [ "$failed" != 0 ] || ! grep -q '^ALL CHECKS RAN$' "$WORK/logs/check.log"; then
  [ "$rc" = 124 ] && echo "systemd-pid1: FAIL: the checks timed out"
  exit 1
fi
