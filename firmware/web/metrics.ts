// GET /metrics for the web process: this controller's status report and its
// takeover history as Prometheus text (exposition format 0.0.4), named in
// the style of ClusterLabs' ha_cluster_exporter (ha_cluster_pacemaker_nodes,
// ..._fail_count): one-hot gauges for states, 1/0 gauges for conditions.
//
// The report comes over a socket from the daemon, so nothing in it is
// trusted: every number must be finite, every state known, every list is
// bounded, and label values are escaped (backslash, double quote, newline)
// so a hostile group name cannot forge a sample line.
import { CONTROLLER_IDS, type ControllerId } from '../cluster/codes.ts';
import { CONTROLLER_STATES, isControllerState } from '../core/states.ts';
import type { StatusReport } from '../status/snapshot.ts';

/** One takeover, switchover or failback as the event log knows it. */
export interface TakeoverSample {
  /** Wall-clock ms. */
  readonly at: number;
  readonly kind: 'takeover' | 'switchover' | 'failback';
  readonly by: ControllerId;
  readonly from: ControllerId;
  /** From the decision to the last group running. */
  readonly totalMs: number;
}

export interface MetricsInput {
  /** This controller's `status` report, or null when its daemon does not answer. */
  readonly report: StatusReport | null;
  readonly takeovers: readonly TakeoverSample[];
}

const TAKEOVER_KINDS = ['takeover', 'switchover', 'failback'] as const;
/** Seconds; a takeover is meant to finish within tens of seconds. */
export const DURATION_BUCKETS = [0.5, 1, 2, 3, 5, 10, 20, 30, 60] as const;

/** Bounds on what one scrape renders, whatever the report holds. */
const MAX_PATHS = 8;
const MAX_GROUPS = 256;
const MAX_RESOURCES = 64;
const MAX_TAKEOVERS = 100_000;
const MAX_LABEL_CHARS = 128;

type Labels = Readonly<Record<string, string>>;
interface Sample {
  readonly suffix?: string;
  readonly labels?: Labels;
  readonly value: number;
}
interface Family {
  readonly name: string;
  readonly type: 'gauge' | 'counter' | 'histogram';
  readonly help: string;
  readonly samples: readonly Sample[];
}

/** A label value as the text format wants it; other control characters become U+FFFD. */
export function escapeLabel(value: string): string {
  return (
    value
      .slice(0, MAX_LABEL_CHARS)
      // A lone surrogate (or a pair the slice cut) would not encode as UTF-8.
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
      .replace(/\\/g, '\\\\')
      .replace(/"/g, '\\"')
      .replace(/\n/g, '\\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]/g, '\ufffd')
  );
}

function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return Number.isNaN(v) ? 'NaN' : String(v);
}

function render(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {});
      const text =
        labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
      lines.push(`${f.name}${s.suffix ?? ''}${text} ${formatValue(s.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const bit = (b: boolean): number => (b ? 1 : 0);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isId = (v: unknown): v is ControllerId => v === 'A' || v === 'B';
const isStr = (v: unknown): v is string => typeof v === 'string';
/** A list from the report, bounded; anything else is an empty list. */
const list = <T>(v: readonly T[] | undefined, max: number): readonly T[] =>
  Array.isArray(v) ? (v as readonly T[]).slice(0, max) : [];

function stateSamples(r: StatusReport): Sample[] {
  const known: [string, unknown][] = [[r.controller, r.state]];
  if (isId(r.peer?.id) && r.peer.peerState !== null) known.push([r.peer.id, r.peer.peerState]);
  const out: Sample[] = [];
  for (const [controller, current] of known) {
    if (!isId(controller) || !isControllerState(current)) continue;
    for (const state of CONTROLLER_STATES)
      out.push({ labels: { controller, state }, value: bit(state === current) });
  }
  return out;
}

function pathFamilies(r: StatusReport): Family[] {
  const paths = list(r.peer?.paths, MAX_PATHS).filter((p) => isStr(p?.path));
  return [
    {
      name: 'tandem_path_up',
      type: 'gauge',
      help: 'Heartbeat path to the peer is up (1), or late, down or not yet heard (0).',
      samples: paths.map((p) => ({ labels: { path: p.path }, value: bit(p.state === 'up') })),
    },
    {
      name: 'tandem_path_last_heard_seconds',
      type: 'gauge',
      help: 'Seconds since the peer was last heard on the heartbeat path (absent: never heard).',
      samples: paths
        .filter((p) => isNum(p.lastHeardAgoMs) && p.lastHeardAgoMs >= 0)
        .map((p) => ({ labels: { path: p.path }, value: (p.lastHeardAgoMs ?? 0) / 1000 })),
    },
  ];
}

function groupFamilies(r: StatusReport): Family[] {
  const groups = list(r.groups, MAX_GROUPS).filter((g) => isStr(g?.name));
  return [
    {
      name: 'tandem_group_running',
      type: 'gauge',
      help: 'Resource group runs on the controller (1) or not (0).',
      samples: groups.flatMap((g) =>
        CONTROLLER_IDS.map((c) => ({
          labels: { group: g.name, controller: c },
          value: bit(g.owner === c && g.state === 'running'),
        })),
      ),
    },
    {
      name: 'tandem_resource_fail_count',
      type: 'gauge',
      help: "Monitor failures of the resource on this controller within its group's restart window.",
      samples: groups.flatMap((g) =>
        list(g.resources, MAX_RESOURCES)
          .filter((res) => isStr(res?.name) && isNum(res.failCount))
          .map((res) => ({ labels: { group: g.name, resource: res.name }, value: res.failCount })),
      ),
    },
  ];
}

function stateFamilies(r: StatusReport): Family[] {
  const flag = (v: unknown): Sample[] => (typeof v === 'boolean' ? [{ value: bit(v) }] : []);
  return [
    {
      name: 'tandem_controller_state',
      type: 'gauge',
      help: 'Controller state, one-hot: 1 for the state the controller is in (the peer as its heartbeat says).',
      samples: stateSamples(r),
    },
    {
      name: 'tandem_peer_alive',
      type: 'gauge',
      help: 'The peer is heard (alive: 1) or suspect, dead or unknown (0).',
      samples: isId(r.peer?.id)
        ? [{ labels: { controller: r.peer.id }, value: bit(r.peer.state === 'alive') }]
        : [],
    },
    ...pathFamilies(r),
    ...groupFamilies(r),
    {
      name: 'tandem_active_alarms',
      type: 'gauge',
      help: 'Active alarms on this controller.',
      samples: isNum(r.activeAlarms) ? [{ value: r.activeAlarms }] : [],
    },
    {
      name: 'tandem_maintenance',
      type: 'gauge',
      help: 'Automatic failover is off (1): the box is in maintenance.',
      samples: flag(r.maintenance),
    },
    {
      name: 'tandem_disk_access',
      type: 'gauge',
      help: 'This controller reaches the shared disk (1) or not (0).',
      samples: flag(r.diskAccess),
    },
    {
      name: 'tandem_takeover_possible',
      type: 'gauge',
      help: 'Controller "by" could take over from "from" now (1) or not (0).',
      samples: list(r.takeover, 2)
        .filter((t) => isId(t?.by) && isId(t.from) && typeof t.possible === 'boolean')
        .map((t) => ({ labels: { by: t.by, from: t.from }, value: bit(t.possible) })),
    },
  ];
}

function takeoverFamilies(takeovers: readonly TakeoverSample[]): Family[] {
  const valid = list(takeovers, MAX_TAKEOVERS).filter(
    (t) => (TAKEOVER_KINDS as readonly unknown[]).includes(t?.kind) && isNum(t.totalMs) && t.totalMs >= 0,
  );
  const seconds = valid.map((t) => t.totalMs / 1000);
  const buckets = [...DURATION_BUCKETS, Infinity].map((le) => ({
    suffix: '_bucket',
    labels: { le: formatValue(le) },
    value: seconds.filter((s) => s <= le).length,
  }));
  return [
    {
      name: 'tandem_takeovers_total',
      type: 'counter',
      help: 'Takeovers, switchovers and failbacks in the event log (it keeps a bounded history).',
      samples: TAKEOVER_KINDS.map((kind) => ({
        labels: { kind },
        value: valid.filter((t) => t.kind === kind).length,
      })),
    },
    {
      name: 'tandem_takeover_duration_seconds',
      type: 'histogram',
      help: 'How long each takeover, switchover or failback took, decision to last group running.',
      samples: [
        ...buckets,
        // Rounded to the millisecond the samples carry, so float noise never shows.
        { suffix: '_sum', value: Math.round(seconds.reduce((a, s) => a + s, 0) * 1000) / 1000 },
        { suffix: '_count', value: seconds.length },
      ],
    },
  ];
}

/** The /metrics body (Content-Type: text/plain; version=0.0.4; charset=utf-8). */
export function prometheusText(input: MetricsInput): string {
  const report = input.report;
  return render([
    {
      name: 'tandem_daemon_up',
      type: 'gauge',
      help: 'The controller daemon answers (1); when 0, nothing about its state is reported.',
      samples: [{ value: bit(report !== null) }],
    },
    ...(report !== null ? stateFamilies(report) : []),
    ...takeoverFamilies(input.takeovers),
  ]);
}
