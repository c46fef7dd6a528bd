#!/usr/bin/env bash
# Installs everything the Tandem lab, tests and cross builds need on a fresh
# Debian 12 machine, then the npm dependencies. Run as root. Idempotent, and
# quick when everything is already there (apt is only touched when a package
# is missing).
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "tools/setup.sh: must run as root (it installs Debian packages)" >&2
  exit 1
fi

packages=(
  ca-certificates
  iproute2 iputils-ping iputils-arping util-linux fdisk mount e2fsprogs coreutils psmisc
  socat tgt libiscsi-bin libiscsi-dev sg3-utils
  postgresql-15 postgresql-client-15
  mosquitto mosquitto-clients
  keepalived stress-ng nftables tcpdump
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  qemu-system-x86 busybox-static kmod xz-utils
  chromium fonts-dejavu-core openssl curl
  # the dev image (npm run image), its update bundles (npm run bundle) and the VM pair (npm run vm)
  mmdebstrap genimage mtools dosfstools grub-efi-amd64-bin grub-common rauc squashfs-tools ovmf qemu-block-extra binutils
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "tools/setup.sh: installing ${missing[*]}"
  apt-get update
  # Debian's services must not start (the lab runs its own tgtd, mosquitto,
  # postgres and keepalived inside namespaces; one on the host would hold
  # their ports and sockets). Without systemd, a package's postinst starts
  # its init script unless policy-rc.d says no (exit 101), so say it while
  # apt runs, unless the machine already has its own policy.
  policy=/usr/sbin/policy-rc.d
  ours=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && ours=1
  fi
  status=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" || status=$?
  [ "$ours" -eq 1 ] && rm -f "$policy"
  [ "$status" -eq 0 ] || exit "$status"
else
  echo "tools/setup.sh: Debian packages present"
fi

# The kernel tier (tools/kernel) boots Debian bookworm's kernel in QEMU. The
# kernel and open-iscsi are unpacked into a cache, not installed: installing
# the kernel would touch this machine's boot, and open-iscsi would start
# iscsid here. The guest modprobes from the cache with the host's kmod.
kcache="${TANDEM_KERNEL_CACHE:-/var/cache/tandem-kernel}"
if ! ls "$kcache"/root/lib/modules/*/modules.dep >/dev/null 2>&1 || [ ! -x "$kcache/iscsi/sbin/iscsiadm" ]; then
  echo "tools/setup.sh: unpacking the bookworm kernel and open-iscsi into $kcache"
  apt-get update
  kpkg="$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n1)"
  [ -n "$kpkg" ] || { echo "tools/setup.sh: apt offers no linux-image-6.1.0-*-amd64" >&2; exit 1; }
  rm -rf "$kcache" && mkdir -p "$kcache/debs"
  (cd "$kcache/debs" && apt-get download "$kpkg" open-iscsi libisns0 libopeniscsiusr)
  dpkg-deb -x "$kcache"/debs/linux-image-*.deb "$kcache/root"
  for deb in "$kcache"/debs/open-iscsi_*.deb "$kcache"/debs/libisns0_*.deb "$kcache"/debs/libopeniscsiusr_*.deb; do
    dpkg-deb -x "$deb" "$kcache/iscsi"
  done
  depmod -b "$kcache/root" "$(ls "$kcache/root/lib/modules")"
  rm -rf "$kcache/debs"
else
  echo "tools/setup.sh: kernel tier cache present in $kcache"
fi

cd "$(dirname "$0")/.."
# npm ci wipes and reinstalls node_modules; skip it when npm's own record of
# the install (node_modules/.package-lock.json) is newer than the lockfile.
if [ node_modules/.package-lock.json -nt package-lock.json ] && [ node_modules/.package-lock.json -nt package.json ]; then
  echo "tools/setup.sh: node_modules up to date"
else
  npm ci
fi
