// The footprint bench's config: a lab config with the firmware's default
// timing, since issue 19's idle CPU goal is "with the default timing" and
// the lab tightens it for its tests (100 ms heartbeats, 1 s deadtime,
// resource monitors every 0.5-1 s). Taken out, so the schema's defaults
// apply (firmware/config/schema.ts, resource-schemas.ts):
//   - cluster.heartbeat (defaults: 50 ms interval, 300 ms warn, 500 ms dead, 30 s initdead);
//   - failover.watchdog.timeoutS: the lab's 1 s is a board's choice after
//     measuring its watchdog (docs/heartbeat.md), default 5 s;
//   - every resource's monitorIntervalMs (per-agent defaults).
// Everything else (paths, group, brokers, web) stays as the lab has it.
// (The leading underscore keeps this helper out of `npm run bench`'s list.)

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A copy of `config` with the timing above removed. */
export function withDefaultTiming(config: Json): Json {
  const out = structuredClone(config);
  const cluster = out['cluster'];
  if (isObject(cluster)) delete cluster['heartbeat'];
  const failover = out['failover'];
  const watchdog = isObject(failover) ? failover['watchdog'] : undefined;
  if (isObject(watchdog)) delete watchdog['timeoutS'];
  const groups = Array.isArray(out['groups']) ? (out['groups'] as unknown[]) : [];
  for (const g of groups) {
    const resources = isObject(g) && Array.isArray(g['resources']) ? (g['resources'] as unknown[]) : [];
    for (const r of resources) if (isObject(r)) delete r['monitorIntervalMs'];
  }
  return out;
}
