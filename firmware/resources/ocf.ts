// OCF-style action results, as Pacemaker's resource agents report them
// (include/crm/common/results.h, enum ocf_exitcode). Using the same numbers
// lets operators who know Pacemaker read our event log without a table.

export const OCF = {
  ok: 0,
  'generic-error': 1,
  'invalid-param': 2,
  unimplemented: 3,
  'insufficient-privilege': 4,
  'not-installed': 5,
  'not-configured': 6,
  'not-running': 7,
} as const;

export type OcfName = keyof typeof OCF;
export type OcfCode = (typeof OCF)[OcfName];

/** An alarm the caller should raise because of this result (e.g. VIP_IN_USE). */
export interface ResultAlarm {
  readonly code: 'VIP_IN_USE' | 'RESOURCE_FAILED';
  readonly subject: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface OcfResult {
  readonly code: OcfCode;
  /** One line for people: why it failed, or what was done. */
  readonly reason: string;
  /** The action ran past its timeout and was abandoned (its children killed). */
  readonly timedOut?: true;
  /** Retrying on this controller cannot help (e.g. fenced); fail over at once. */
  readonly hard?: true;
  readonly alarm?: ResultAlarm;
}

export function ocfName(code: OcfCode): OcfName {
  for (const [name, value] of Object.entries(OCF)) if (value === code) return name as OcfName;
  /* c8 ignore next */
  throw new RangeError(`not an OCF code: ${String(code)}`);
}

export function ok(reason = ''): OcfResult {
  return { code: OCF.ok, reason };
}

export function fail(
  name: Exclude<OcfName, 'ok'>,
  reason: string,
  extra: Partial<OcfResult> = {},
): OcfResult {
  return { ...extra, code: OCF[name], reason };
}

export function isOk(r: OcfResult): boolean {
  return r.code === OCF.ok;
}

/**
 * Failures a local restart cannot cure. As in Pacemaker, a wrong parameter,
 * missing software, missing configuration or privilege is hard on this node.
 */
export function isHardFailure(r: OcfResult): boolean {
  return r.hard === true || HARD_CODES.has(r.code);
}

const HARD_CODES: ReadonlySet<OcfCode> = new Set([
  OCF['invalid-param'],
  OCF['insufficient-privilege'],
  OCF['not-installed'],
  OCF['not-configured'],
]);

/** "generic-error (1): reason", the form events and alarms use. */
export function describeResult(r: OcfResult): string {
  const head = `${ocfName(r.code)} (${r.code})${r.timedOut ? ', timed out' : ''}`;
  return r.reason ? `${head}: ${r.reason}` : head;
}
