#!/usr/bin/env bash
# Validate the BR2_EXTERNAL tree offline against a Buildroot checkout:
# each defconfig must load and round-trip through savedefconfig (a symbol whose
# dependencies are unmet is silently dropped, so a diff means a broken config),
# and utils/check-package must report no warnings.
# Usage: tools/buildroot-check.sh /path/to/buildroot
set -euo pipefail
br=${1:?usage: $0 BUILDROOT_DIR}
here=$(cd "$(dirname "$0")/.." && pwd)
ext="$here/buildroot"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for cfg in "$ext"/configs/*_defconfig; do
  name=$(basename "$cfg")
  make -s -C "$br" BR2_EXTERNAL="$ext" O="$out/$name" "$name" >/dev/null
  make -s -C "$br" O="$out/$name" savedefconfig BR2_DEFCONFIG="$out/$name/saved" >/dev/null
  if diff <(sort "$cfg") <(sort "$out/$name/saved"); then
    echo "ok   $name round-trips"
  else
    echo "FAIL $name: the lines above were dropped or added by Kconfig"; status=1
  fi
done
(cd "$br" && /usr/bin/python3 ./utils/check-package -b "$ext"/package/*/* "$ext"/Config.in "$ext"/external.mk "$ext"/external.desc "$ext"/configs/*) || status=1
exit $status
