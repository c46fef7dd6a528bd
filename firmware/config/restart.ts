// Which settings take effect at once and which wait for a daemon restart, as
// declared in the schema (the `requiresRestart` annotation, after
// zigbee2mqtt's). Most of the daemon reads its config once, when it builds
// the controller, its paths, MQTT and the control socket; only what a running
// part re-reads is live (event-log retention, which the daemon re-applies on
// every change). A setting without an annotation of its own inherits its
// nearest ancestor's; one with none at all is taken to need a restart, the
// safe answer.
import { ConfigSchema } from './schema.ts';

interface Node {
  requiresRestart?: boolean;
  properties?: Record<string, Node>;
  items?: Node;
}

/** The declared answer for a pointer (array indexes are matched by the items schema). */
export function requiresRestart(pointer: string): boolean {
  let node: Node | undefined = ConfigSchema as Node;
  let answer = true;
  for (const part of pointer.split('/').slice(1)) {
    node = /^\d+$/.test(part) && node?.items !== undefined ? node.items : node?.properties?.[part];
    if (node === undefined) break;
    if (node.requiresRestart !== undefined) answer = node.requiresRestart;
  }
  return answer;
}

/** Splits changed settings into those applied now and those waiting for a restart. */
export function splitByRestart(changed: readonly string[]): { live: string[]; restart: string[] } {
  const live: string[] = [];
  const restart: string[] = [];
  for (const p of changed) (requiresRestart(p) ? restart : live).push(p);
  return { live, restart };
}
