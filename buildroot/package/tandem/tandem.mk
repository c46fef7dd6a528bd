################################################################################
#
# tandem
#
################################################################################

TANDEM_VERSION = 0.1.0
TANDEM_SITE = $(BR2_EXTERNAL_TANDEM_PATH)/..
TANDEM_SITE_METHOD = local
TANDEM_LICENSE = Proprietary
TANDEM_DEPENDENCIES = host-nodejs nodejs

# npm must pick koffi's and serialport's prebuilt binaries for the target,
# not for the build host, hence --cpu/--os/--libc.
ifeq ($(BR2_aarch64),y)
TANDEM_NPM_CPU = arm64
else ifeq ($(BR2_x86_64),y)
TANDEM_NPM_CPU = x64
else ifeq ($(BR2_arm),y)
TANDEM_NPM_CPU = arm
endif

ifeq ($(BR2_TOOLCHAIN_USES_MUSL),y)
TANDEM_NPM_LIBC = musl
else
TANDEM_NPM_LIBC = glibc
endif

define TANDEM_BUILD_CMDS
	cd $(@D) && $(NPM) ci --omit=dev --ignore-scripts=false \
		--cpu=$(TANDEM_NPM_CPU) --os=linux --libc=$(TANDEM_NPM_LIBC)
endef

define TANDEM_INSTALL_TARGET_CMDS
	mkdir -p $(TARGET_DIR)/opt/tandem
	cp -a $(@D)/package.json $(@D)/firmware $(@D)/hal $(@D)/node_modules \
		$(TARGET_DIR)/opt/tandem/
	$(INSTALL) -D -m 0755 $(TANDEM_PKGDIR)/tandemctl $(TARGET_DIR)/usr/bin/tandemctl
	$(INSTALL) -D -m 0755 $(TANDEM_PKGDIR)/tandem-login $(TARGET_DIR)/usr/sbin/tandem-login
endef

define TANDEM_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(TANDEM_PKGDIR)/S95tandemd $(TARGET_DIR)/etc/init.d/S95tandemd
endef

$(eval $(generic-package))
