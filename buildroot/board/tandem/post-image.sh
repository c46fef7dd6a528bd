#!/bin/sh
# The controller's disk (images/genimage.cfg, shared with the dev image):
# genimage's EFI/ input from GRUB's EFI image, the shared GRUB script and a
# grubenv that boots slot A, as RAUC's grub backend reads it; rootfs.ext4
# is Buildroot's own. Runs from Buildroot's top directory.
set -e
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
efi="$BINARIES_DIR/EFI/BOOT"
rm -rf "$BINARIES_DIR/EFI"
mkdir -p "$efi"
for loader in "$BINARIES_DIR"/efi-part/EFI/BOOT/boot*.efi; do
	# The removable-media name the firmware looks for (BOOTX64.EFI, BOOTAA64.EFI).
	cp "$loader" "$efi/$(basename "$loader" | tr '[:lower:]' '[:upper:]')"
done
cp "$repo/images/grub/grub.cfg" "$efi/grub.cfg"
"$HOST_DIR/bin/grub-editenv" "$efi/grubenv" create
"$HOST_DIR/bin/grub-editenv" "$efi/grubenv" set ORDER="A B" A_OK=1 A_TRY=0 B_OK=0 B_TRY=0
support/scripts/genimage.sh -c "$repo/images/genimage.cfg"
