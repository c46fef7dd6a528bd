#!/bin/sh
# After the target tree is complete: the kernel where the shared GRUB script
# (images/grub/grub.cfg) boots it, /vmlinuz of the slot.
set -e
for image in bzImage Image; do
	if [ -f "$TARGET_DIR/boot/$image" ]; then
		ln -sfn "boot/$image" "$TARGET_DIR/vmlinuz"
	fi
done
