#!/bin/sh
# PID 1 of a kernel-tier guest after init.sh's switch_root, in the overlay
# root (the host's / seen through 9p): runs the job the runner left in the
# writable share /run/out, records its exit code there and powers off.
# /bin/busybox is the host's busybox-static (the same file as in the initramfs).
ip link set lo up
echo "tandem-init: userspace ready at $(cut -d' ' -f1 /proc/uptime) s"
env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb \
  /bin/sh /run/out/job.sh >/run/out/job.log 2>&1
echo $? >/run/out/exit-code
echo "tandem-init: job exited $(cat /run/out/exit-code) at $(cut -d' ' -f1 /proc/uptime) s"
sync
umount /run/out
/bin/busybox poweroff -f
