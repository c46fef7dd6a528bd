/*
 * Layout probe: a probe file defines PROBES(P) as a list of P(name, expr) and
 * includes this header. Every expr becomes a global 64-bit constant
 * probe_<name>, which a native build prints from main() and a cross build
 * (compiled with -S -DPROBE_NO_MAIN, never run) leaves in the assembly,
 * where probe.ts reads it back.
 */
#include <stddef.h>
#include <stdio.h>

#define PROBE_CONST(name, expr) const unsigned long long probe_##name = (unsigned long long)(expr);
PROBES(PROBE_CONST)

#ifndef PROBE_NO_MAIN
#define PROBE_PRINT(name, expr) printf("%s=%llu\n", #name, probe_##name);
int main(void) {
  PROBES(PROBE_PRINT)
  return 0;
}
#endif
