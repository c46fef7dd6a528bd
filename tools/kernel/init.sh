#!/bin/busybox sh
# PID 1 of every kernel-tier guest (packed into the initramfs by initramfs.ts).
# It loads what the root needs, builds that root (the host's / read-only over
# virtio-9p under a tmpfs overlay, so no disk image) with the writable "out"
# share at /run/out, and hands over to stage2.sh there. A failure powers off;
# the runner's deadline is the last resort.
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
# /tmp stays the overlay's (writable through its tmpfs upper layer), not a
# tmpfs of its own: a checkout under the host's /tmp must stay visible.
$B mount -t tmpfs tmpfs /newroot/run
$B mkdir -p /newroot/run/out /newroot/lib/modules /newroot/dev/shm
$B mount -t tmpfs tmpfs /newroot/dev/shm
$B mount --move /out /newroot/run/out
# The unpacked kernel's modules where modprobe (the host's kmod) looks.
$B mount --bind "/newroot$TANDEM_GUEST_MODULES" /newroot/lib/modules
# switch_root, not chroot: kernel threads resolve paths from init's root
# (LIO writes its PR state under dbroot, the kernel runs modprobe for crc32c),
# so the root they see must be the one the job sees.
exec $B switch_root /newroot /bin/sh "$TANDEM_GUEST_STAGE2"
