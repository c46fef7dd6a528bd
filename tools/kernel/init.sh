#!/bin/busybox sh
# PID 1 of every kernel-tier guest (packed into the initramfs by initramfs.ts).
# It loads what the root needs, builds that root (the host's / read-only over
# virtio-9p under a tmpfs overlay, so no disk image), runs the job that the
# runner left in the writable "out" share, records its exit code there and
# powers off. Any failure powers off too: the runner's timeout is the last resort.
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev
for m in $($B cat /mod/order); do $B insmod "/mod/$m" || echo "tandem-init: insmod $m failed"; done
$B mkdir -p /lower /rw /newroot /out
# cache=loose: the host's / does not change under a guest, and TCG makes
# every 9p round trip expensive (node_modules is thousands of files).
$B mount -t 9p -o trans=virtio,version=9p2000.L,cache=loose,msize=262144,ro hostroot /lower || $B poweroff -f
$B mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /out || $B poweroff -f
. /out/guest.env
$B mount -t tmpfs -o size=70% tmpfs /rw
$B mkdir -p /rw/upper /rw/work
$B mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || $B poweroff -f
for d in proc sys dev; do $B mount --move /$d /newroot/$d; done
$B mount -t tmpfs tmpfs /newroot/tmp
$B mount -t tmpfs tmpfs /newroot/run
$B mkdir -p /newroot/run/out /newroot/lib/modules /newroot/dev/shm
$B mount -t tmpfs tmpfs /newroot/dev/shm
$B mount --move /out /newroot/run/out
# The unpacked kernel's modules where modprobe (the host's kmod) looks.
$B mount --bind "/newroot$TANDEM_GUEST_MODULES" /newroot/lib/modules
$B ip link set lo up
echo "tandem-init: userspace ready at $($B cut -d" " -f1 /newroot/proc/uptime) s"
$B chroot /newroot /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root TERM=dumb /bin/sh /run/out/job.sh >/newroot/run/out/job.log 2>&1
echo $? >/newroot/run/out/exit-code
echo "tandem-init: job exited $($B cat /newroot/run/out/exit-code) at $($B cut -d" " -f1 /newroot/proc/uptime) s"
$B sync
$B umount /newroot/run/out
$B poweroff -f
