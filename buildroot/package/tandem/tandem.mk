################################################################################
#
# tandem
#
################################################################################

TANDEM_VERSION = 0.1.0
# The staged tree of "npm run build" (docs/image.md): the same files the dev
# image lays over its root filesystem.
TANDEM_SITE = $(BR2_EXTERNAL_TANDEM_PATH)/../dist/firmware-root
TANDEM_SITE_METHOD = local
TANDEM_LICENSE = Proprietary

define TANDEM_CHECK_STAGED
	test -f $(TANDEM_SITE)/opt/tandem/package.json || \
		{ echo "tandem: $(TANDEM_SITE) is not built: run npm run build" \
			"(--arch arm64 for aarch64) in the Tandem repository first"; exit 1; }
endef
TANDEM_PRE_RSYNC_HOOKS += TANDEM_CHECK_STAGED

define TANDEM_INSTALL_TARGET_CMDS
	mkdir -p $(TARGET_DIR)/opt
	rm -rf $(TARGET_DIR)/opt/tandem
	cp -a $(@D)/opt/tandem $(TARGET_DIR)/opt/tandem
	$(INSTALL) -D -m 0755 $(@D)/usr/bin/tandemctl $(TARGET_DIR)/usr/bin/tandemctl
	$(INSTALL) -D -m 0755 $(@D)/usr/sbin/tandem-login \
		$(TARGET_DIR)/usr/sbin/tandem-login
	$(INSTALL) -D -m 0644 $(@D)/etc/mosquitto/tandem.conf \
		$(TARGET_DIR)/etc/mosquitto/tandem.conf
	$(INSTALL) -D -m 0644 $(@D)/etc/mosquitto/tandem.acl \
		$(TARGET_DIR)/etc/mosquitto/tandem.acl
	$(INSTALL) -D -m 0644 $(@D)/etc/rauc/system.conf \
		$(TARGET_DIR)/etc/rauc/system.conf
	$(INSTALL) -D -m 0644 $(@D)/etc/rauc/keyring.pem \
		$(TARGET_DIR)/etc/rauc/keyring.pem
	mkdir -p $(TARGET_DIR)/var/lib
	ln -sfn /data/tandem/etc $(TARGET_DIR)/etc/tandem
	ln -sfn /data/tandem/state $(TARGET_DIR)/var/lib/tandem
endef

# inittab, rcS and rcK come from the board's rootfs overlay, which the
# staged tree copies for the dev image.
define TANDEM_INSTALL_INIT_SYSV
	for script in $(@D)/etc/init.d/S??*; do \
		$(INSTALL) -D -m 0755 $$script \
			$(TARGET_DIR)/etc/init.d/$$(basename $$script) || exit 1; \
	done
endef

# The box runs its own broker config (S50tandem-mosquitto, loopback only);
# the mosquitto package's S50mosquitto would take the same port first.
define TANDEM_DROP_MOSQUITTO_INIT
	rm -f $(TARGET_DIR)/etc/init.d/S50mosquitto
endef
TANDEM_TARGET_FINALIZE_HOOKS += TANDEM_DROP_MOSQUITTO_INIT

$(eval $(generic-package))
