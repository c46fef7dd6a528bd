#!/bin/sh
# Inside a kernel-tier guest: one shared LUN seen through two I_T nexuses, as
# the two controllers see the enclosure. LIO (configured through configfs,
# no targetcli) exports a fileio LUN on tmpfs over iSCSI on 127.0.0.1, and
# open-iscsi, unpacked from its .debs in $TANDEM_KERNEL_CACHE/iscsi, logs in
# twice through two ifaces with the controllers' initiator names. Prints
# SG_A=/dev/sgN and SG_B=/dev/sgM (and SD_A/SD_B with LIO_PAIR_SD=1) for `eval`.
# With LIO_PAIR_TARGET_ONLY=1 it stops once the target is up (for our own
# initiator, hal/scsi/iscsi, which logs in with the same ACL names).
# Not through tcm_loop: PREEMPT AND ABORT deadlocks 6.1 there (REFERENCE 11).
set -eu
ISCSI="$TANDEM_KERNEL_CACHE/iscsi"
IQN=iqn.2026-12.invalid.tandem:encl
CFG=/sys/kernel/config/target
log() { echo "lio-pair: $*" >&2; }

modprobe configfs
mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config
modprobe target_core_mod
# LIO writes APTPL state on every PR OUT into dbroot; on the read-only root it
# answers NOT READY. It can only be moved before a fabric module registers.
mkdir -p /run/lio/pr /run/lio/alua
echo /run/lio >"$CFG/dbroot"
modprobe target_core_file
DEV="$CFG/core/fileio_0/witness"
mkdir -p "$DEV"
echo "fd_dev_name=/run/lio/witness.img,fd_dev_size=$((64 * 1024 * 1024)),fd_buffered_io=1" >"$DEV/control"
# Without a unit serial the LUN has no wwid (no VPD 0x80/0x83 designator).
echo 5444454d0001 >"$DEV/wwn/vpd_unit_serial"
echo 1 >"$DEV/enable"

modprobe iscsi_target_mod
TPG="$CFG/iscsi/$IQN/tpgt_1"
mkdir -p "$TPG/np/127.0.0.1:3260" "$TPG/lun/lun_0"
ln -s "$DEV" "$TPG/lun/lun_0/witness"
echo 0 >"$TPG/attrib/authentication"
for c in a b; do
  acl="$TPG/acls/iqn.2026-12.invalid.tandem:ctl-$c"
  mkdir -p "$acl/lun_0"
  ln -s "$TPG/lun/lun_0" "$acl/lun_0/witness"
done
echo 1 >"$TPG/enable"
log "LIO target $IQN up"
[ "${LIO_PAIR_TARGET_ONLY:-0}" = 1 ] && exit 0

modprobe sg
[ "${LIO_PAIR_SD:-0}" = 1 ] && modprobe sd_mod
modprobe iscsi_tcp
export LD_LIBRARY_PATH="$ISCSI/usr/lib/x86_64-linux-gnu"
mkdir -p /etc/iscsi /run/lock/iscsi
cp "$ISCSI/etc/iscsi/iscsid.conf" /etc/iscsi/iscsid.conf
echo "InitiatorName=iqn.2026-12.invalid.tandem:guest" >/etc/iscsi/initiatorname.iscsi
"$ISCSI/sbin/iscsid"
adm() { "$ISCSI/sbin/iscsiadm" "$@" >/dev/null; }
for c in a b; do
  adm -m iface -I "ctl-$c" -o new
  adm -m iface -I "ctl-$c" -o update -n iface.initiatorname -v "iqn.2026-12.invalid.tandem:ctl-$c"
done
adm -m discovery -t sendtargets -p 127.0.0.1:3260 -I ctl-a -I ctl-b
for c in a b; do adm -m node -T "$IQN" -p 127.0.0.1:3260 -I "ctl-$c" --login; done

# The session's iface names the controller; its SCSI device is under it.
for i in $(seq 100); do
  out=""
  for s in /sys/class/iscsi_session/session*; do
    c=$(cut -d- -f2 "$s/ifacename" | tr a-z A-Z)
    for g in "$s"/device/target*/*:*/scsi_generic/sg*; do [ -e "$g" ] && out="$out SG_$c=/dev/${g##*/}"; done
    if [ "${LIO_PAIR_SD:-0}" = 1 ]; then
      for d in "$s"/device/target*/*:*/block/sd*; do [ -e "$d" ] && out="$out SD_$c=/dev/${d##*/}"; done
    fi
  done
  want=2
  [ "${LIO_PAIR_SD:-0}" = 1 ] && want=4
  if [ "$(echo "$out" | wc -w)" -eq "$want" ]; then
    for v in $out; do [ -e "${v#*=}" ] || continue 2; done
    log "two nexuses:$out"
    echo "$out"
    exit 0
  fi
  sleep 0.2
done
log "the LUN did not appear twice: $out"
exit 1
