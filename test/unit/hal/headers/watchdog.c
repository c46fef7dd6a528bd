/* Layout probe for <linux/watchdog.h>; see probe.h and hal/watchdog/uapi.ts. */
#include <linux/watchdog.h>

#define PROBES(P) \
  P(size__watchdog_info, sizeof(struct watchdog_info)) \
  P(off__watchdog_info__options, offsetof(struct watchdog_info, options)) \
  P(off__watchdog_info__firmware_version, offsetof(struct watchdog_info, firmware_version)) \
  P(off__watchdog_info__identity, offsetof(struct watchdog_info, identity)) \
  P(const__WDIOC_GETSUPPORT, WDIOC_GETSUPPORT) \
  P(const__WDIOC_KEEPALIVE, WDIOC_KEEPALIVE) \
  P(const__WDIOC_SETTIMEOUT, WDIOC_SETTIMEOUT) \
  P(const__WDIOC_GETTIMEOUT, WDIOC_GETTIMEOUT) \
  P(const__WDIOF_SETTIMEOUT, WDIOF_SETTIMEOUT) \
  P(const__WDIOF_MAGICCLOSE, WDIOF_MAGICCLOSE) \
  P(const__WDIOF_KEEPALIVEPING, WDIOF_KEEPALIVEPING)

#include "probe.h"
