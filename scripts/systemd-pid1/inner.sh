#!/usr/bin/env bash
# PID 1 of the fresh namespaces run.sh makes: builds a root from an overlay of the host root (writes go to
# $WORK/ovl/upper only), mounts fresh API filesystems, pivots into it and execs systemd.
set -eu
R=$WORK/ovl/merged
mount --make-rprivate /
mkdir -p "$WORK/ovl/upper" "$WORK/ovl/work" "$R"
mount -t overlay overlay -o "lowerdir=/,upperdir=$WORK/ovl/upper,workdir=$WORK/ovl/work" "$R"
mount -t proc proc "$R/proc"
mount -t sysfs -o ro sysfs "$R/sys"                  # read-only /sys: systemd skips udev, as in a container
mount -t cgroup2 cgroup2 "$R/sys/fs/cgroup"          # this cgroup namespace's root
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$R/run"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/tmp"
mount -t tmpfs -o mode=755,nosuid tmpfs "$R/dev"
for n in null zero full random urandom tty; do touch "$R/dev/$n"; mount --bind "/dev/$n" "$R/dev/$n"; done
mkdir -p "$R/dev/pts" "$R/dev/shm" "$R/dev/mqueue"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts"
ln -s pts/ptmx "$R/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm"
touch "$R/dev/console"; mount --bind /dev/null "$R/dev/console"
ln -s /proc/self/fd "$R/dev/fd"; ln -s /proc/self/fd/0 "$R/dev/stdin"
ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"
# The checkout, its build (.build may be a link) and these scripts, read-only.
mkdir -p "$R/src" "$R/build" "$R/pid1"
mount --bind "$SRC" "$R/src"; mount -o remount,bind,ro "$R/src"
mount --bind "$(readlink -f "$SRC/.build")" "$R/build"; mount -o remount,bind,ro "$R/build"
mount --bind "$HERE" "$R/pid1"; mount -o remount,bind,ro "$R/pid1"
# The corpus, when the checkout sits next to ../shared: a real request for the compression check.
if [ -d "$SRC/../shared/corpus" ]; then mkdir -p "$R/corpus"; mount --bind "$SRC/../shared/corpus" "$R/corpus"; fi
systemd-id128 new > "$R/etc/machine-id"
echo condenser-pid1 > "$R/etc/hostname"; hostname condenser-pid1
mkdir -p "$R/var/log/journal"
# Units a container can't or needn't run; a failed one would only make the system "degraded".
for u in systemd-pstore.service systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer \
         dpkg-db-backup.timer e2scrub_all.timer fstrim.timer man-db.timer postgresql.service cron.service; do
  ln -sf /dev/null "$R/etc/systemd/system/$u"
done
# A Condenser the host may have installed must not shadow the one under test.
rm -f "$R"/etc/systemd/system/condenser.* "$R"/etc/systemd/system/sockets.target.wants/condenser.socket \
      "$R"/etc/condenser/condenser.toml "$R"/etc/condenser/upstream-key
cd "$R"; mkdir -p .oldroot
pivot_root . .oldroot
umount -l /.oldroot; rmdir /.oldroot
# systemd makes / shared only outside containers; LoadCredential= needs shared propagation.
mount --make-rshared /
exec env -i container=other PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  /lib/systemd/systemd --unit=basic.target --log-target=journal --log-level=info --show-status=no
