/* Layout probe for <sched.h>; see probe.h and hal/sched/uapi.ts. */
#define _GNU_SOURCE
#include <sched.h>

#define PROBES(P) \
  P(size__sched_param, sizeof(struct sched_param)) \
  P(off__sched_param__sched_priority, offsetof(struct sched_param, sched_priority)) \
  P(const__SCHED_OTHER, SCHED_OTHER) \
  P(const__SCHED_FIFO, SCHED_FIFO) \
  P(const__SCHED_RR, SCHED_RR) \
  P(const__SCHED_RESET_ON_FORK, SCHED_RESET_ON_FORK)

#include "probe.h"
